package ai.diffad.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.diffad.config.MaskKind;
import ai.diffad.config.OnlineConfig;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.net.Networks;
import ai.diffad.model.testutils.Sines;
import ai.djl.Device;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Online fine-tuning of a loaded imputer in place, on hand-checkable properties. */
class OnlineTunerTest {
  @TempDir static Path dir;
  private static Path model;

  @BeforeAll
  static void train() {
    model = Trainer.builder().setConfig(ImputationObjectiveTest.config(4, 4,
            List.of(MaskKind.LAST))).setData(new Sines(4, 2, 40, 11.0))
        .setOutputDir(dir.resolve("m")).optNetworkFactory(Networks::create)
        .optProgressBar(false).build().run().artifact();
  }

  @Test
  void anUpdateChangesTheServedWeightsResetRestoresThemAndTheMovingAverageIsExact() {
    Sines past = new Sines(1, 2, 64, 9.0);
    try (LoadedModel a = ModelArtifact.load(model, Device.cpu());
        LoadedModel b = ModelArtifact.load(model, Device.cpu());
        OnlineTuner plain = new OnlineTuner(a, new OnlineConfig(10, 3, 4, 1e-2, 100, 0.0));
        OnlineTuner averaged = new OnlineTuner(b, new OnlineConfig(10, 3, 4, 1e-2, 100, 0.5))) {
      float[][] shared = plain.weights();
      double loss = plain.update(past, 42L);
      assertThat(loss).isFinite().isPositive();
      averaged.update(past, 42L);
      float[][] tuned = plain.weights();
      float[][] mid = averaged.weights();
      double changed = 0;
      for (int i = 0; i < shared.length; i++) {
        for (int k = 0; k < shared[i].length; k++) {
          changed = Math.max(changed, Math.abs(tuned[i][k] - shared[i][k]));
          // Same seed, same steps: the training copies agree, so the served average is the
          // midpoint of the shared and the tuned weights.
          assertThat((double) mid[i][k]).isCloseTo(0.5 * shared[i][k] + 0.5 * tuned[i][k],
              within(1e-6));
        }
      }
      assertThat(changed).isGreaterThan(1e-4);
      assertThat(plain.updates()).isEqualTo(1);

      plain.reset();
      assertThat(plain.weights()).isDeepEqualTo(shared);
      plain.load(tuned);
      assertThat(plain.weights()).isDeepEqualTo(tuned);
    }
  }

  /**
   * An update depends on the served weights, the past and the seed only: a tuner that has tuned
   * another series in between (its optimiser moments and training copy elsewhere) and is handed
   * the weights of the first update gives the second update bit for bit like the tuner that
   * made both in a row. This is what lets a stream keep only weights and rows per source.
   */
  @Test
  void anUpdateDependsOnTheServedWeightsThePastAndTheSeedOnly() {
    Sines first = new Sines(1, 2, 64, 9.0);
    Sines second = new Sines(1, 2, 64, 7.0);
    Sines other = new Sines(1, 2, 64, 13.0);
    OnlineConfig cfg = new OnlineConfig(10, 3, 4, 1e-2, 100, 0.25);
    try (LoadedModel a = ModelArtifact.load(model, Device.cpu());
        LoadedModel b = ModelArtifact.load(model, Device.cpu());
        OnlineTuner straight = new OnlineTuner(a, cfg);
        OnlineTuner switching = new OnlineTuner(b, cfg)) {
      straight.update(first, 1L);
      float[][] afterFirst = straight.weights();
      straight.update(second, 2L);
      float[][] expected = straight.weights();

      switching.update(other, 5L);
      switching.update(other, 6L);
      switching.load(afterFirst);
      switching.update(second, 2L);
      float[][] got = switching.weights();
      double moved = 0;
      for (int i = 0; i < expected.length; i++) {
        for (int k = 0; k < expected[i].length; k++) {
          assertThat((double) got[i][k]).isCloseTo(expected[i][k], within(1e-6));
          moved = Math.max(moved, Math.abs(expected[i][k] - afterFirst[i][k]));
        }
      }
      assertThat(moved).as("the second update changed the weights").isGreaterThan(1e-4);
    }
  }
}
