package ai.diffad.model.testutils;

import ai.diffad.model.train.TrainingSet;
import java.util.SplittableRandom;

/**
 * Synthetic textures for tests: oriented sinusoidal stripes (random angle, period, phase) plus a
 * little Gaussian noise, clipped to [-1, 1], one channel, {@code side x side}.
 */
public final class Stripes implements TrainingSet {
  private final float[][] items;
  private final int side;
  private final int classes;

  /** {@code count} unlabelled items of {@code side x side} from {@code seed}. */
  public Stripes(int count, int side, long seed) {
    this(count, side, seed, 0);
  }

  /** As above, item i labelled {@code i % classes} when {@code classes > 0}. */
  public Stripes(int count, int side, long seed, int classes) {
    this.side = side;
    this.classes = classes;
    this.items = new float[count][side * side];
    SplittableRandom rng = new SplittableRandom(seed);
    for (int i = 0; i < count; i++) {
      double angle = rng.nextDouble(Math.PI);
      double period = rng.nextDouble(4, 8);
      double phase = rng.nextDouble(2 * Math.PI);
      double cx = Math.cos(angle);
      double sy = Math.sin(angle);
      for (int y = 0; y < side; y++) {
        for (int x = 0; x < side; x++) {
          double v = 0.8 * Math.sin(2 * Math.PI * (x * cx + y * sy) / period + phase)
              + 0.05 * rng.nextGaussian();
          items[i][y * side + x] = (float) Math.max(-1, Math.min(1, v));
        }
      }
    }
  }

  @Override
  public int size() {
    return items.length;
  }

  @Override
  public int channels() {
    return 1;
  }

  @Override
  public int height(int i) {
    return side;
  }

  @Override
  public int width(int i) {
    return side;
  }

  @Override
  public float[] item(int i) {
    return items[i];
  }

  @Override
  public int label(int i) {
    return classes > 0 ? i % classes : -1;
  }

  @Override
  public String description() {
    return "stripes(" + items.length + "x" + side + ")";
  }
}
