package ai.diffad.flink;

import ai.diffad.cli.StreamSoak;
import ai.diffad.config.EngineConfig;
import ai.diffad.config.SamplerKind;
import ai.diffad.denoise.io.ImageEncoder;
import ai.diffad.denoise.io.ImageFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A gray 16x16 U-Net (8/16 channels, no attention, T = 100) trained for a handful of steps: a
 * real model artifact in about a second, for the jobs' plumbing, not for its scores.
 */
public final class TinyModel {
  private TinyModel() {}

  /** Training crop side. */
  public static final int SIZE = 16;

  /** Trains the model into {@code dir} (the recipe of {@code bench stream-soak}'s model). */
  public static Path train(Path dir) {
    return StreamSoak.tinyModel(dir, "tiny");
  }

  /** Fast engine settings for the tiny model: t* = 10, two DDIM steps, batches of 4 tiles. */
  public static EngineConfig engine() {
    return EngineConfig.builder().tStar(10).sampler(SamplerKind.DDIM).steps(2).batchSize(4)
        .smoothSigma(1.0).build();
  }

  /** A textured 8-bit PNG of {@code h} x {@code w} with {@code channels} 1 or 3. */
  public static byte[] png(int h, int w, int channels, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] data = new float[channels * h * w];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    return ImageEncoder.encode(data, channels, h, w, null, 8, ImageFormat.PNG);
  }

  /** Writes a textured 8-bit PNG of {@code h} x {@code w} with {@code channels} 1 or 3. */
  public static void writePng(Path file, int h, int w, int channels, long seed) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.write(file, png(h, w, channels, seed));
  }
}
