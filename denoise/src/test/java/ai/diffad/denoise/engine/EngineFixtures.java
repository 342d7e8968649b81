package ai.diffad.denoise.engine;

import ai.diffad.config.DataConfig;
import ai.diffad.config.DataFormat;
import ai.diffad.config.DiffadConfig;
import ai.diffad.config.EngineConfig;
import ai.diffad.config.MapKind;
import ai.diffad.config.NetworkConfig;
import ai.diffad.config.NetworkKind;
import ai.diffad.config.PredictionType;
import ai.diffad.config.SamplerKind;
import ai.diffad.config.ScheduleConfig;
import ai.diffad.config.ScheduleKind;
import ai.diffad.config.ScoreReduction;
import ai.diffad.config.TrainingConfig;
import ai.diffad.denoise.data.SyntheticTextures;
import ai.diffad.model.train.Trainer;
import ai.diffad.model.train.TrainingResult;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/** A tiny stripe model trained in seconds, engine settings, and synthetic defects. */
final class EngineFixtures {
  private EngineFixtures() {}

  /** Side of the training crops, the tiles and the test images. */
  static final int SIZE = 32;

  /**
   * A small U-Net (16/32 channels, two levels, no attention) trained on 48x48 stripe textures,
   * epsilon prediction, t drawn from [0, 400) only: scoring starts at t* well below 400, so the
   * steps above it would only take capacity from the ones that matter (as in the reference
   * denoising run of ANCHORS.md).
   */
  static DiffadConfig stripeModel(int steps) {
    return new DiffadConfig(
        "stripes",
        ScheduleConfig.of(ScheduleKind.LINEAR, 1000),
        PredictionType.EPSILON,
        new NetworkConfig(NetworkKind.UNET2D, 16, List.of(1, 2), 1, List.of(), 8, 0, 0.0),
        new TrainingConfig(steps, 8, 2e-3, 0.0, Math.min(30, steps), null, 1.0, 0.99, 11L, 0,
            50, null, 0, 400, null),
        new DataConfig(DataFormat.IMAGES, 1, SIZE, null, false, false, null, null));
  }

  /** Trains {@link #stripeModel} into {@code dir}; returns the training result. */
  static TrainingResult train(Path dir, int steps) {
    return Trainer.builder()
        .setConfig(stripeModel(steps))
        .setData(SyntheticTextures.trainingSet(64, 48, 5L))
        .setOutputDir(dir)
        .optProgressBar(false)
        .build()
        .run();
  }

  /** A held-out texture of side {@code size}. */
  static float[] texture(int size, SplittableRandom rng) {
    return SyntheticTextures.texture(size, rng);
  }

  /**
   * Pastes a defect of 6-8 px into {@code img} (side {@code size}): a bright or dark disk, or a
   * 2-px scratch, at a random position at least 3 px from the border.
   *
   * @return the defect mask
   */
  static boolean[] pasteDefect(float[] img, int size, SplittableRandom rng) {
    boolean[] mask = new boolean[size * size];
    int kind = rng.nextInt(3);
    float value = rng.nextBoolean() ? 0.95f : -0.95f;
    if (kind < 2) {
      double r = 3 + rng.nextDouble();
      int cy = 3 + 4 + rng.nextInt(size - 14);
      int cx = 3 + 4 + rng.nextInt(size - 14);
      for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
          if ((y - cy) * (y - cy) + (x - cx) * (x - cx) <= r * r) {
            mask[y * size + x] = true;
          }
        }
      }
    } else {
      double angle = rng.nextDouble() * Math.PI;
      double len = 7 + rng.nextInt(2);
      double cy = 8 + rng.nextInt(size - 16);
      double cx = 8 + rng.nextInt(size - 16);
      for (double s = -len / 2; s <= len / 2; s += 0.25) {
        for (double o = -0.5; o <= 0.5; o += 0.5) {
          int y = (int) Math.round(cy + s * Math.sin(angle) + o * Math.cos(angle));
          int x = (int) Math.round(cx + s * Math.cos(angle) - o * Math.sin(angle));
          mask[y * size + x] = true;
        }
      }
    }
    for (int i = 0; i < mask.length; i++) {
      if (mask[i]) {
        img[i] = value;
      }
    }
    return mask;
  }

  /** The mask grown by {@code d} pixels (square neighbourhood). */
  static boolean[] dilate(boolean[] mask, int size, int d) {
    boolean[] out = new boolean[mask.length];
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        if (!mask[y * size + x]) {
          continue;
        }
        for (int dy = -d; dy <= d; dy++) {
          for (int dx = -d; dx <= d; dx++) {
            int yy = y + dy;
            int xx = x + dx;
            if (yy >= 0 && yy < size && xx >= 0 && xx < size) {
              out[yy * size + xx] = true;
            }
          }
        }
      }
    }
    return out;
  }

  /** Mann-Whitney AUROC: P(score of a positive > score of a negative), ties counting half. */
  static double auroc(double[] negatives, double[] positives) {
    double wins = 0;
    for (double p : positives) {
      for (double n : negatives) {
        wins += p > n ? 1 : p == n ? 0.5 : 0;
      }
    }
    return wins / ((double) positives.length * negatives.length);
  }

  /** Copies a model directory (a test's own temporary folders). */
  static void copyTree(java.nio.file.Path from, java.nio.file.Path to) {
    try (var paths = java.nio.file.Files.walk(from)) {
      for (java.nio.file.Path p : paths.toList()) {
        java.nio.file.Path target = to.resolve(from.relativize(p).toString());
        if (java.nio.file.Files.isDirectory(p)) {
          java.nio.file.Files.createDirectories(target);
        } else {
          java.nio.file.Files.copy(p, target);
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
