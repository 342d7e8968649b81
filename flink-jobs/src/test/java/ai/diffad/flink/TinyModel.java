package ai.diffad.flink;

import ai.diffad.config.DataConfig;
import ai.diffad.config.DataFormat;
import ai.diffad.config.DiffadConfig;
import ai.diffad.config.EngineConfig;
import ai.diffad.config.NetworkConfig;
import ai.diffad.config.NetworkKind;
import ai.diffad.config.PredictionType;
import ai.diffad.config.SamplerKind;
import ai.diffad.config.ScheduleConfig;
import ai.diffad.config.ScheduleKind;
import ai.diffad.config.TrainingConfig;
import ai.diffad.denoise.data.SyntheticTextures;
import ai.diffad.denoise.io.ImageEncoder;
import ai.diffad.denoise.io.ImageFormat;
import ai.diffad.model.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A gray 16x16 U-Net (8/16 channels, no attention, T = 100) trained for a handful of steps: a
 * real model artifact in about a second, for the jobs' plumbing, not for its scores.
 */
public final class TinyModel {
  private TinyModel() {}

  /** Training crop side. */
  public static final int SIZE = 16;

  /** Trains the model into {@code dir}. */
  public static Path train(Path dir) {
    DiffadConfig cfg = new DiffadConfig(
        "tiny",
        ScheduleConfig.of(ScheduleKind.LINEAR, 100),
        PredictionType.EPSILON,
        new NetworkConfig(NetworkKind.UNET2D, 8, List.of(1, 2), 1, List.of(), 4, 0, 0.0),
        new TrainingConfig(4, 4, 2e-3, 0.0, 1, null, 1.0, 0.99, 11L, 0, 50, null, 0, null, null),
        new DataConfig(DataFormat.IMAGES, 1, SIZE, null, false, false, null, null));
    Trainer.builder()
        .setConfig(cfg)
        .setData(SyntheticTextures.trainingSet(8, 24, 5L))
        .setOutputDir(dir)
        .optProgressBar(false)
        .build()
        .run();
    return dir;
  }

  /** Fast engine settings for the tiny model: t* = 10, two DDIM steps, batches of 4 tiles. */
  public static EngineConfig engine() {
    return EngineConfig.builder().tStar(10).sampler(SamplerKind.DDIM).steps(2).batchSize(4)
        .smoothSigma(1.0).build();
  }

  /** Writes a textured 8-bit PNG of {@code h} x {@code w} with {@code channels} 1 or 3. */
  public static void writePng(Path file, int h, int w, int channels, long seed) throws IOException {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] data = new float[channels * h * w];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.write(file, ImageEncoder.encode(data, channels, h, w, null, 8, ImageFormat.PNG));
  }
}
