package ai.diffad.cli.demo;

import ai.diffad.config.DataConfig;
import ai.diffad.config.DataFormat;
import ai.diffad.config.DiffadConfig;
import ai.diffad.config.NetworkConfig;
import ai.diffad.config.NetworkKind;
import ai.diffad.config.PredictionType;
import ai.diffad.config.ScheduleConfig;
import ai.diffad.config.ScheduleKind;
import ai.diffad.config.TrainingConfig;
import ai.diffad.denoise.data.InMemoryTrainingSet;
import ai.diffad.denoise.data.SyntheticTextures;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.artifact.ModelManifest;
import ai.diffad.model.net.Networks;
import ai.diffad.model.train.Trainer;
import ai.diffad.model.train.TrainingResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The demo's small model: trained once on synthetic stripe textures and reused by later runs while
 * the model.json in its folder matches what this run would train ({@code --fresh} retrains).
 */
public final class DemoModel {
  public static final long TRAINING_SEED = 5;
  /** Training textures (48x48; the model trains on 32x32 crops of them). */
  public static final int TRAINING_TEXTURES = 64;
  public static final int TRAINING_TEXTURE_SIZE = 48;

  private DemoModel() {}

  /** The small model: a stripe U-Net (16/32 channels, two levels) trained on t in [0, 400). */
  public static DiffadConfig config(int steps) {
    return new DiffadConfig(
        "demo-stripes",
        ScheduleConfig.of(ScheduleKind.LINEAR, 1000),
        PredictionType.EPSILON,
        new NetworkConfig(NetworkKind.UNET2D, 16, List.of(1, 2), 1, List.of(), 8, 0, 0.0),
        new TrainingConfig(steps, 8, 2e-3, 0.0, Math.min(30, steps), null, 1.0, 0.99, 11L, 0,
            Math.max(1, Math.min(50, steps)), null, 0, 400, null),
        new DataConfig(DataFormat.IMAGES, 1, 32, null, false, false, null, null));
  }

  /** The training data: synthetic stripe textures. */
  public static InMemoryTrainingSet trainingSet() {
    return SyntheticTextures.trainingSet(TRAINING_TEXTURES, TRAINING_TEXTURE_SIZE, TRAINING_SEED);
  }

  /**
   * Phase 2: leaves a model trained for {@code steps} steps in {@code dir}, the one already there
   * if it is that model (unless {@code fresh}), else a newly trained one.
   */
  public static void prepare(Path dir, int steps, boolean fresh, DemoLog log) throws IOException {
    if (fresh) {
      DemoLayout.deleteTree(dir);
    }
    DiffadConfig cfg = config(steps);
    InMemoryTrainingSet data = trainingSet();
    String why = reusable(dir, cfg, data.description());
    if (why == null) {
      log.phase(2, "reusing the model trained by an earlier run: " + DemoLog.show(dir) + " (--fresh retrains)");
      return;
    }
    log.phase(2, String.format(Locale.ROOT, "training a small model (%s): %d steps on %d synthetic %dx%d"
        + " textures -> %s", why, steps, TRAINING_TEXTURES, TRAINING_TEXTURE_SIZE, TRAINING_TEXTURE_SIZE,
        DemoLog.show(dir)));
    DemoLayout.deleteTree(dir);
    train(cfg, data, dir, log);
  }

  /** Null if the model in {@code dir} is the one this run would train; else why it is not. */
  public static String reusable(Path dir, DiffadConfig cfg, String dataDescription) {
    if (!Files.isRegularFile(dir.resolve(ModelArtifact.MANIFEST))) {
      return "none yet";
    }
    try {
      ModelManifest m = ModelArtifact.readManifest(dir);
      if (!m.config().equals(cfg)) {
        return "the one in " + dir.getFileName() + " has other settings";
      }
      if (m.training() == null || !dataDescription.equals(m.training().dataDescription())
          || m.training().steps() != cfg.training().steps()) {
        return "the one in " + dir.getFileName() + " was trained on other data";
      }
      if (!Files.isRegularFile(dir.resolve(ModelArtifact.WEIGHTS))) {
        return "the one in " + dir.getFileName() + " has no weights";
      }
      return null;
    } catch (RuntimeException e) {
      return "the one in " + dir.getFileName() + " is unreadable";
    }
  }

  private static void train(DiffadConfig cfg, InMemoryTrainingSet data, Path dir, DemoLog log) {
    int every = Math.max(1, cfg.training().steps() / 10);
    double[] smoothed = {Double.NaN};
    TrainingResult r = Trainer.builder()
        .setConfig(cfg)
        .setData(data)
        .setOutputDir(dir)
        .setNetworkFactory(Networks::create)
        .optProgressBar(false)
        .optListener(s -> {
          smoothed[0] = s.smoothedLoss();
          if (s.step() % every == 0 || s.step() == s.totalSteps()) {
            double eta = s.elapsedSeconds() / s.step() * (s.totalSteps() - s.step());
            log.detail(String.format(Locale.ROOT, "step %d/%d  loss %.4f  %.0f s (%.0f s to go)", s.step(),
                s.totalSteps(), s.smoothedLoss(), s.elapsedSeconds(), eta));
          }
        })
        .build()
        .run();
    log.detail(String.format(Locale.ROOT, "trained in %.0f s (%.0f ms/step), loss %.4f (smoothed)",
        r.secondsPerStep() * cfg.training().steps(), r.secondsPerStep() * 1000, smoothed[0]));
  }
}
