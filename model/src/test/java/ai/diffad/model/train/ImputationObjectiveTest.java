package ai.diffad.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.diffad.config.DataConfig;
import ai.diffad.config.DataFormat;
import ai.diffad.config.DiffadConfig;
import ai.diffad.config.ImputationConfig;
import ai.diffad.config.MaskKind;
import ai.diffad.config.NetworkConfig;
import ai.diffad.config.NetworkKind;
import ai.diffad.config.PredictionType;
import ai.diffad.config.ScheduleConfig;
import ai.diffad.config.ScheduleKind;
import ai.diffad.config.TrainingConfig;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.artifact.ModelManifest;
import ai.diffad.model.net.Networks;
import ai.diffad.model.testutils.Sines;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImputationObjectiveTest {
  @TempDir Path tmp;

  static DiffadConfig config(int steps, int batch, List<MaskKind> masks) {
    return new DiffadConfig("tiny-imputer", ScheduleConfig.of(ScheduleKind.LINEAR, 1000),
        PredictionType.EPSILON,
        new NetworkConfig(NetworkKind.UNET1D, 8, List.of(1, 2), 1, List.of(), 4, 0, 0.0),
        new TrainingConfig(steps, batch, 2e-3, 0.0, Math.min(5, steps), null, 1.0, 0.99, 7L,
            Math.max(1, steps / 3), 1, null, 0, 1000, null),
        new DataConfig(DataFormat.SENSOR, 2, 16, null, false, false, 4, null),
        null, null, new ImputationConfig(masks, 4, 4, 0.25));
  }

  /**
   * A stand-in network that checks the input the objective builds (noised rows only where hidden,
   * clean rows only where visible, a 0/1 mask) and predicts 0 on hidden rows and 1000 on visible
   * ones: the loss must then be the mean of eps^2 over the hidden rows alone (about 1 for
   * Gaussian noise), where one visible row in it would put it near 10^6 / 16.
   */
  @Test
  void theLossCountsTheHiddenRowsOnlyAndTheInputHidesTheirCleanValues() {
    DiffadConfig cfg = config(1, 64, List.of(MaskKind.LAST, MaskKind.GRATING, MaskKind.RANDOM));
    ImputationObjective objective = new ImputationObjective(cfg, new Sines(6, 2, 40, 11.0));
    assertThat(objective.networks().get(ModelManifest.DENOISER).inChannels()).isEqualTo(5);
    assertThat(objective.networks().get(ModelManifest.DENOISER).outChannels()).isEqualTo(2);
    int[] hiddenRows = new int[1];
    Block probe = new LambdaBlock(in -> {
      NDArray x = in.head();
      assertThat(x.getShape().getShape()).containsExactly(64, 5, 16);
      NDArray mask = x.get(new NDIndex(":, 4:5, :"));
      float[] m = mask.toFloatArray();
      for (float v : m) {
        assertThat(v).isIn(0f, 1f);
      }
      float[] noisy = x.get(new NDIndex(":, 0:2, :")).mul(mask.neg().add(1f)).toFloatArray();
      float[] clean = x.get(new NDIndex(":, 2:4, :")).mul(mask).toFloatArray();
      for (int i = 0; i < noisy.length; i++) {
        assertThat(Math.abs(noisy[i])).as("noised value on a visible row").isZero();
        assertThat(Math.abs(clean[i])).as("clean value on a hidden row").isZero();
      }
      hiddenRows[0] = (int) mask.sum().getFloat();
      NDArray visible = mask.neg().add(1f).mul(1000f);
      return new NDList(visible.repeat(1, 2));
    });
    try (NDManager m = NDManager.newBaseManager()) {
      objective.start();
      Trainer.StepContext step = new Trainer.StepContext(1, 7L, m,
          Map.of(ModelManifest.DENOISER, probe), new ParameterStore(m, false));
      double loss = objective.loss(step).getFloat();
      assertThat(hiddenRows[0]).isGreaterThanOrEqualTo(64);
      assertThat(loss).isBetween(0.7, 1.3);
    }
  }

  @Test
  void anImputerTrainsThroughTheLoopResumesExactlyAndShipsAWiderInput() throws IOException {
    DiffadConfig cfg = config(9, 4, List.of(MaskKind.LAST, MaskKind.GRATING));
    Path straight = tmp.resolve("straight");
    trainer(cfg, straight, false).run();
    Path interrupted = tmp.resolve("interrupted");
    trainer(cfg, interrupted, false).runUntil(5);
    trainer(cfg, interrupted, true).run();
    List<Double> a = TrainerTest.losses(straight.resolve(Trainer.LOSS_CSV));
    List<Double> b = TrainerTest.losses(interrupted.resolve(Trainer.LOSS_CSV));
    assertThat(b).hasSize(9);
    for (int i = 0; i < 9; i++) {
      assertThat(b.get(i)).as("loss at step %d", i + 1)
          .isCloseTo(a.get(i), within(1e-5 * Math.abs(a.get(i))));
    }
    ModelManifest m = ModelArtifact.readManifest(straight);
    assertThat(m.denoiser().inChannels()).isEqualTo(5);
    assertThat(m.denoiser().outChannels()).isEqualTo(2);
    assertThat(m.config().imputation()).isEqualTo(cfg.imputation());
  }

  @Test
  void theDiffusionObjectiveRefusesAnImputationProfile() {
    assertThatThrownBy(() -> new DiffusionObjective(config(1, 4, List.of(MaskKind.LAST)),
        new Sines(2, 2, 20, 7.0))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("imputation");
  }

  private Trainer trainer(DiffadConfig cfg, Path out, boolean resume) {
    return Trainer.builder().setConfig(cfg).setData(new Sines(6, 2, 40, 11.0)).setOutputDir(out)
        .optNetworkFactory(Networks::create).optProgressBar(false).optResume(resume).build();
  }
}
