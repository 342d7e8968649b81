package ai.diffad.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.diffad.config.TrainingConfig;
import org.junit.jupiter.api.Test;

class LearningRateTest {
  private final TrainingConfig tc = new TrainingConfig(
      110, null, 1e-3, null, 10, 1e-4, null, null, null, null, null, null, null, null, null);

  @Test
  void warmUpRisesLinearlyToThePeak() {
    assertThat(LearningRate.at(tc, 1)).isCloseTo(1e-4, within(1e-12));
    assertThat(LearningRate.at(tc, 5)).isCloseTo(5e-4, within(1e-12));
    assertThat(LearningRate.at(tc, 10)).isCloseTo(1e-3, within(1e-12));
  }

  @Test
  void cosineDecayPassesTheMidpointAndEndsAtTheMinimum() {
    // Half-way through the decay: min + (peak - min) / 2.
    assertThat(LearningRate.at(tc, 60)).isCloseTo(5.5e-4, within(1e-12));
    assertThat(LearningRate.at(tc, 110)).isCloseTo(1e-4, within(1e-12));
  }
}
