package ai.diffad.denoise.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded synthetic inspection textures: oriented sinusoidal stripes with a random phase, a slight
 * frequency jitter and pixel noise, in [-1, 1]. A stand-in for a product surface that needs no data
 * on disk (the demo, tests).
 */
public final class SyntheticTextures {
  private SyntheticTextures() {}

  /** One gray texture of side {@code size}. */
  public static float[] texture(int size, SplittableRandom rng) {
    double angle = 0.35 + 0.1 * rng.nextDouble();
    double freq = 2 * Math.PI / (6.0 + rng.nextDouble());
    double phase = rng.nextDouble() * 2 * Math.PI;
    double ca = Math.cos(angle);
    double sa = Math.sin(angle);
    float[] x = new float[size * size];
    for (int y = 0; y < size; y++) {
      for (int c = 0; c < size; c++) {
        double v = 0.6 * Math.sin(freq * (c * ca + y * sa) + phase) + 0.08 * rng.nextGaussian();
        x[y * size + c] = (float) Math.max(-1, Math.min(1, v));
      }
    }
    return x;
  }

  /** {@code count} textures as a training set. */
  public static InMemoryTrainingSet trainingSet(int count, int size, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    List<InMemoryTrainingSet.Item> items = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      items.add(new InMemoryTrainingSet.Item(texture(size, rng.split()), size, size, -1));
    }
    return new InMemoryTrainingSet(items, 1, "synthetic stripes " + count + "x" + size + " seed " + seed);
  }
}
