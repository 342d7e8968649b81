package ai.diffad.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.diffad.config.DataConfig;
import ai.diffad.config.DataFormat;
import ai.diffad.config.DetectorConfig;
import ai.diffad.config.DiffadConfig;
import ai.diffad.config.NetworkConfig;
import ai.diffad.config.NetworkKind;
import ai.diffad.config.PredictionType;
import ai.diffad.config.ScheduleConfig;
import ai.diffad.config.ScheduleKind;
import ai.diffad.config.TrainingConfig;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.artifact.ModelManifest;
import ai.diffad.model.schedule.NoiseSchedule;
import ai.diffad.model.testutils.Stripes;
import ai.diffad.model.testutils.TinyDenoiser;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DetectorObjectiveTest {
  @TempDir Path tmp;

  static DiffadConfig config(int steps, int checkpointEvery) {
    return new DiffadConfig("tiny-detector", ScheduleConfig.of(ScheduleKind.LINEAR, 1000),
        PredictionType.EPSILON,
        new NetworkConfig(null, 16, List.of(1), null, null, 8, null, null),
        new TrainingConfig(steps, 4, 2e-3, 0.0, Math.min(5, steps), null, 1.0, 0.99, 7L,
            checkpointEvery, 1, null, 0, null, null),
        new DataConfig(DataFormat.IMAGES, 1, 16, null, true, true, null, null),
        new DetectorConfig(null, null, 0.25, null, List.of(0, 3), null, List.of(0, 300),
            new NetworkConfig(NetworkKind.UNET2D, 8, List.of(1, 2), 1, List.of(), 4, 0, 0.0),
            null, null, null, null));
  }

  private Trainer trainer(DiffadConfig cfg, Path out, boolean resume) {
    return Trainer.builder().setConfig(cfg).setData(new Stripes(24, 24, 3)).setOutputDir(out)
        .optNetworkFactory(TinyDenoiser::create).optProgressBar(false).optResume(resume).build();
  }

  @Test
  void bothNetworksTrainThroughTheLoopResumeExactlyAndShipWithTheirHashes() throws IOException {
    DiffadConfig cfg = config(12, 4);
    Path straight = tmp.resolve("straight");
    trainer(cfg, straight, false).run();
    Path interrupted = tmp.resolve("interrupted");
    trainer(cfg, interrupted, false).runUntil(6);
    assertThat(interrupted.resolve("checkpoints/step-000004/segmenter.ema.params")).exists();
    trainer(cfg, interrupted, true).run();
    List<Double> a = TrainerTest.losses(straight.resolve(Trainer.LOSS_CSV));
    List<Double> b = TrainerTest.losses(interrupted.resolve(Trainer.LOSS_CSV));
    assertThat(b).hasSize(12);
    for (int i = 0; i < 12; i++) {
      assertThat(b.get(i)).as("loss at step %d", i + 1)
          .isCloseTo(a.get(i), within(1e-5 * Math.abs(a.get(i))));
    }
    ModelManifest m = ModelArtifact.readManifest(straight);
    assertThat(m.networks()).containsOnlyKeys(ModelManifest.DENOISER, ModelManifest.SEGMENTER);
    assertThat(m.networks().get(ModelManifest.SEGMENTER).inChannels()).isEqualTo(2);
    assertThat(m.networks().get(ModelManifest.SEGMENTER).outChannels()).isEqualTo(1);
    assertThat(m.files()).containsOnlyKeys(ModelArtifact.WEIGHTS, DetectorObjective.SEGMENTER_FILE);
    assertThat(m.files().values()).allSatisfy(sha -> assertThat(sha).matches("[0-9a-f]{64}"));
    assertThat(m.config().detector()).isEqualTo(cfg.detector());
    try (LoadedModel model = ModelArtifact.load(straight, Device.cpu(), TinyDenoiser::create)) {
      assertThat(model.networkNames()).containsExactly("denoiser", "segmenter");
    }
  }

  @Test
  void theNoiseTargetIsMeasuredAgainstTheCleanCropSoTheOneStepEstimateRemovesTheAnomaly() {
    DiffadConfig cfg = config(10, 0);
    DetectorObjective o = new DetectorObjective(cfg, new Stripes(24, 24, 3), null);
    o.start();
    try {
      int batch = 4;
      int d = 16 * 16;
      int bd = batch * d;
      float[] p = o.prepare(7, 3).packed();
      int mOff = 4 * bd;
      int tOff = mOff + batch * d;
      double[] ab = NoiseSchedule.of(cfg.schedule()).alphaBars();
      int anomalous = 0;
      for (int b = 0; b < batch; b++) {
        int t = (int) p[tOff + b];
        assertThat(t).isBetween(0, 299);
        double sa = Math.sqrt(ab[t]);
        double sn = Math.sqrt(1 - ab[t]);
        assertThat((double) p[tOff + batch + b]).isCloseTo(sa, within(1e-6));
        assertThat((double) p[tOff + 2 * batch + b]).isCloseTo(sn, within(1e-6));
        double snr = ab[t] / (1 - ab[t]);
        assertThat((double) p[tOff + 3 * batch + b]).isCloseTo(Math.min(snr, 5) / snr,
            within(1e-6));
        boolean differs = false;
        for (int k = 0; k < d; k++) {
          int i = b * d + k;
          double xt = p[i];
          double target = p[bd + i];
          double xa = p[2 * bd + i];
          double x = p[3 * bd + i];
          // x0 from the target is the clean crop, not the anomalous input x_t was made from.
          assertThat((xt - sn * target) / sa).isCloseTo(x, within(2e-3 / sa + 1e-4));
          if (p[mOff + b * d + k] == 0f) {
            assertThat(xa).isEqualTo(x);
          } else {
            differs |= Math.abs(xa - x) > 1e-3;
          }
        }
        anomalous += differs ? 1 : 0;
      }
      assertThat(anomalous).as("crops with an anomaly in this batch").isPositive();
      // the same (seed, step) gives the same batch: what exact resume rests on
      assertThat(o.prepare(7, 3).packed()).containsExactly(p);
    } finally {
      o.stop();
    }
  }

  @Test
  void theMaskLossIsFocalPlusDiceOnAHandComputedCase() {
    double[] z = {0.0, 2.0, -1.0, 3.0};
    double[] m = {1, 0, 0, 1};
    double gamma = 2;
    double focal = 0;
    double inter = 0;
    double sumP = 0;
    for (int i = 0; i < 4; i++) {
      double p = 1 / (1 + Math.exp(-z[i]));
      double pt = m[i] == 1 ? p : 1 - p;
      focal += -Math.pow(1 - pt, gamma) * Math.log(pt);
      inter += p * m[i];
      sumP += p;
    }
    focal /= 4;
    double dice = 1 - (2 * inter + 1) / (sumP + 2 + 1);
    // p = (0.5, 0.8808, 0.2689, 0.9526): focal 0.461533, dice 0.302940 (by hand, and so here)
    assertThat(focal).isCloseTo(0.461533, within(1e-6));
    assertThat(dice).isCloseTo(0.302940, within(1e-6));
    DetectorConfig det = config(1, 0).detector();
    try (NDManager nd = NDManager.newBaseManager(Device.cpu())) {
      NDArray logits = nd.create(new float[] {0f, 2f, -1f, 3f}, new Shape(1, 1, 2, 2));
      NDArray mask = nd.create(new float[] {1f, 0f, 0f, 1f}, new Shape(1, 1, 2, 2));
      double loss = DetectorObjective.maskLoss(logits, mask, det).getFloat();
      assertThat(loss).isCloseTo(5 * focal + dice, within(1e-5));
      // stable for large logits: log-sigmoid form, no NaN or infinity
      NDArray big = nd.create(new float[] {80f, -80f, 80f, -80f}, new Shape(1, 1, 2, 2));
      assertThat((double) DetectorObjective.maskLoss(big, mask, det).getFloat()).isFinite();
    }
  }
}
