package ai.diffad.model.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.diffad.config.ScheduleConfig;
import ai.diffad.config.ScheduleKind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Golden values computed independently with numpy (float64) by src/test/resources/golden/noise_schedule_golden.py. */
class NoiseScheduleTest {

  // Golden values below come from src/test/resources/golden/noise_schedule_golden.py; regenerate
  // with `python3 model/src/test/resources/golden/noise_schedule_golden.py` (add --check to compare).
  @ParameterizedTest(name = "{0} T={1} t={2}")
  @CsvSource({
    "LINEAR, 1000, 0, 0.0001, 0.9999",
    "LINEAR, 1000, 1, 0.00011991991991991993, 0.9997800920720721",
    "LINEAR, 1000, 500, 0.010059959959959959, 0.07779665836502389",
    "LINEAR, 1000, 999, 0.02, 4.035829765375676e-05",
    "LINEAR, 50, 1, 0.0005061224489795919, 0.9993939281632653",
    "LINEAR, 50, 25, 0.010253061224489796, 0.8736624197310381",
    "LINEAR, 50, 49, 0.02, 0.602951597329715",
    "SCALED_LINEAR, 1000, 0, 0.00085, 0.99915",
    "SCALED_LINEAR, 1000, 1, 0.0008546986554056862, 0.9982960278384514",
    "SCALED_LINEAR, 1000, 500, 0.00481495414171188, 0.2763326838229746",
    "SCALED_LINEAR, 1000, 999, 0.012, 0.004660098513077238",
    "SCALED_LINEAR, 50, 25, 0.004923820350454443, 0.9341011694934117",
    "SCALED_LINEAR, 50, 49, 0.012, 0.763763285673763",
    "COSINE, 1000, 0, 4.128422482196914e-05, 0.999958715775178",
    "COSINE, 1000, 1, 4.614175273665033e-05, 0.9999125759273678",
    "COSINE, 1000, 500, 0.003155691441585007, 0.49228517244880304",
    "COSINE, 1000, 999, 0.999, 2.4287669070348567e-09",
    "COSINE, 50, 0, 0.0017475135338653747, 0.9982524864661346",
    "COSINE, 50, 25, 0.06304977735063333, 0.46270686201731814",
    "COSINE, 50, 49, 0.999, 9.71193029871257e-07",
    "SIGMOID, 1000, 0, 0.00014920520081703202, 0.9998507947991829",
    "SIGMOID, 1000, 1, 0.00014979833041933025, 0.9997010188194536",
    "SIGMOID, 1000, 500, 0.010079879790061013, 0.29888762784675893",
    "SIGMOID, 1000, 999, 0.01995079479918297, 3.968181990533219e-05",
    "SIGMOID, 50, 1, 0.0001628160987088179, 0.9996880029934828",
    "SIGMOID, 50, 25, 0.010658423650567767, 0.9328849564245302",
  })
  void betasAndAlphaBarsMatchNumpyGoldenValues(
      ScheduleKind kind, int bigT, int t, double beta, double alphaBar) {
    NoiseSchedule s = NoiseSchedule.of(ScheduleConfig.of(kind, bigT));

    assertThat(s.timesteps()).isEqualTo(bigT);
    assertThat(s.beta(t)).isCloseTo(beta, within(1e-12 * beta));
    assertThat(s.alphaBar(t)).isCloseTo(alphaBar, within(1e-12 * alphaBar));
    assertThat(s.alphas()[t]).isEqualTo(1.0 - s.beta(t));
  }

  @Test
  void arrayGettersReturnCopiesSoTheScheduleStaysImmutable() {
    NoiseSchedule s = NoiseSchedule.of(ScheduleConfig.of(ScheduleKind.LINEAR, 10));
    s.betas()[0] = 42;
    s.alphaBars()[0] = 42;
    s.alphas()[0] = 42;

    assertThat(s.beta(0)).isEqualTo(1e-4);
    assertThat(s.alphaBar(0)).isEqualTo(1 - 1e-4);
  }

  @Test
  void alphaBarOfMinusOneIsOneAndOutOfRangeTimestepsAreRefused() {
    NoiseSchedule s = NoiseSchedule.of(ScheduleConfig.of(ScheduleKind.LINEAR, 10));

    assertThat(s.alphaBar(-1)).isEqualTo(1.0);
    assertThatThrownBy(() -> s.alphaBar(10)).hasMessageContaining("[0, 9]").hasMessageContaining("10");
    assertThatThrownBy(() -> s.beta(-1)).hasMessageContaining("got -1");
  }

  @Test
  void sigmaEquivalentMatchesGoldenValuesOfTheLinearSchedule() {
    NoiseSchedule s = NoiseSchedule.of(ScheduleConfig.of(ScheduleKind.LINEAR, 1000));

    assertThat(s.sigmaEquiv(0)).isCloseTo(1.2750637547815782, within(1e-10));
    assertThat(s.sigmaEquiv(99)).isCloseTo(43.2006144953972, within(1e-10));
    assertThat(s.sigmaEquiv(999)).isCloseTo(20069.428303326964, within(1e-7));
  }

  @ParameterizedTest(name = "sigma {0} -> t {1}")
  @CsvSource({"25.0, 56", "50.0, 114", "5.0, 8", "0.0, 0", "1e9, 999"})
  void timestepForSigmaPicksTheClosestSigmaEquivalent(double sigma, int expected) {
    NoiseSchedule s = NoiseSchedule.of(ScheduleConfig.of(ScheduleKind.LINEAR, 1000));

    assertThat(s.timestepForSigma(sigma)).isEqualTo(expected);
  }

  @Test
  void negativeSigmaIsRefused() {
    NoiseSchedule s = NoiseSchedule.of(ScheduleConfig.of(ScheduleKind.LINEAR, 1000));

    assertThatThrownBy(() -> s.timestepForSigma(-1)).hasMessageContaining(">= 0");
  }

  @Test
  void customBetaRangeIsUsedByTheLinearSchedule() {
    NoiseSchedule s = NoiseSchedule.of(new ScheduleConfig(ScheduleKind.LINEAR, 3, 0.1, 0.3));

    assertThat(s.betas()).containsExactly(new double[] {0.1, 0.2, 0.3}, within(1e-15));
    assertThat(s.alphaBar(2)).isCloseTo(0.9 * 0.8 * 0.7, within(1e-15));
  }
}
