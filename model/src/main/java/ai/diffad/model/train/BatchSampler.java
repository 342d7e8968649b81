package ai.diffad.model.train;

import ai.diffad.config.DiffadConfig;
import ai.diffad.config.PredictionType;
import ai.diffad.model.noise.NoiseGenerator;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/**
 * Draws the training batch of one step: items, crops, flips/rotations, timesteps, noise, label
 * dropout, the noisy input and the prediction target. Every random choice comes from a
 * {@link SplittableRandom} seeded from (seed, step) alone, so a resumed run draws exactly the
 * batches an uninterrupted one would, without saving any RNG state.
 *
 * <p>The batch is written into one float array, laid out as {@code [x_t (B*D) | target (B*D) |
 * t (B) | labels (B)]} with D = C*S*S (images) or C*S (sensors), so that one NDArray per step
 * carries all of it.
 */
final class BatchSampler {
  private final DiffadConfig config;
  private final TrainingSet data;
  private final double[] alphaBar;
  private final int batch;
  private final int channels;
  private final int size;
  private final boolean sensor;
  private final int tMin;
  private final int tMax;
  private final int numClasses;
  private final NoiseGenerator noise;

  BatchSampler(DiffadConfig config, TrainingSet data, double[] alphaBar) {
    this.config = config;
    this.data = data;
    this.alphaBar = alphaBar;
    this.batch = config.training().batchSize();
    this.channels = config.data().channels();
    this.size = config.data().size();
    this.sensor = config.data().format().isSeries();
    this.tMin = config.training().tMin();
    this.tMax = config.training().tMaxFor(config.schedule().timesteps());
    this.numClasses = config.network().numClasses();
    this.noise = NoiseGenerator.of(config.training().noise());
  }

  /**
   * Checks that every item can be cropped to the network input; fails naming the first item that
   * cannot.
   */
  static void validate(DiffadConfig config, TrainingSet data) {
    if (data.size() == 0) {
      throw new IllegalArgumentException("the training set '" + data.description() + "' is empty");
    }
    if (data.channels() != config.data().channels()) {
      throw new IllegalArgumentException(
          "the training set has " + data.channels() + " channels but data.channels is "
              + config.data().channels());
    }
    boolean sensor = config.data().format().isSeries();
    int s = config.data().size();
    int classes = config.network().numClasses();
    for (int i = 0; i < data.size(); i++) {
      int h = data.height(i);
      int w = data.width(i);
      if (sensor ? (h != 1 || w < s) : (h < s || w < s)) {
        throw new IllegalArgumentException(
            "item " + i + " of '" + data.description() + "' is " + h + "x" + w
                + ", smaller than data.size " + s + (sensor ? " (series need height 1)" : "")
                + "; resize or pad the data (data.resize, data.padTo) or lower data.size");
      }
      if (classes > 0) {
        int label = data.label(i);
        if (label < 0 || label >= classes) {
          throw new IllegalArgumentException(
              "item " + i + " has label " + label + " but network.numClasses is " + classes
                  + ": a class-conditional network needs labels in 0.." + (classes - 1));
        }
      }
    }
  }

  /** Values per batch element. */
  int elementSize() {
    return sensor ? channels * size : channels * size * size;
  }

  int batch() {
    return batch;
  }

  /** Total floats of one packed batch. */
  int packedLength() {
    return 2 * batch * elementSize() + 2 * batch;
  }

  /** The shape of x as the network sees it. */
  long[] xShape() {
    return sensor ? new long[] {batch, channels, size} : new long[] {batch, channels, size, size};
  }

  /** Fills {@code out} (length {@link #packedLength()}) with the batch of a 1-based step. */
  void sample(long seed, int step, float[] out) {
    SplittableRandom rng = new SplittableRandom(mix(seed, step));
    int d = elementSize();
    int targetOff = batch * d;
    int tOff = 2 * batch * d;
    int labelOff = tOff + batch;
    int[] ts = new int[batch];
    // Pass 1: the clean crops go into the target slot; all per-element choices are drawn in a
    // fixed order so the stream is the same on every run.
    for (int b = 0; b < batch; b++) {
      int idx = rng.nextInt(data.size());
      crop(idx, rng, out, targetOff + b * d);
      ts[b] = rng.nextInt(tMin, tMax);
      out[tOff + b] = ts[b];
      float label = 0;
      if (numClasses > 0) {
        boolean drop = rng.nextDouble() < config.training().labelDropout();
        label = drop ? numClasses : data.label(idx);
      }
      out[labelOff + b] = label;
    }
    // Pass 2: noise (Gaussian or simplex, seeded from this step's stream), noisy input, target.
    float[] epsAll = noise.generate(new Shape(xShape()), rng.nextLong());
    PredictionType prediction = config.prediction();
    for (int b = 0; b < batch; b++) {
      double ab = alphaBar[ts[b]];
      float sa = (float) Math.sqrt(ab);
      float sn = (float) Math.sqrt(1 - ab);
      int base = b * d;
      for (int k = 0; k < d; k++) {
        float x0 = out[targetOff + base + k];
        float eps = epsAll[base + k];
        out[base + k] = sa * x0 + sn * eps;
        out[targetOff + base + k] = switch (prediction) {
          case EPSILON -> eps;
          case V -> sa * eps - sn * x0;
          case SAMPLE -> x0;
        };
      }
    }
  }

  /** Writes a random crop of item {@code idx}, randomly flipped/rotated, at {@code off}. */
  void crop(int idx, SplittableRandom rng, float[] out, int off) {
    float[] item = data.item(idx);
    int h = data.height(idx);
    int w = data.width(idx);
    if (sensor) {
      int ox = rng.nextInt(w - size + 1);
      for (int c = 0; c < channels; c++) {
        System.arraycopy(item, c * w + ox, out, off + c * size, size);
      }
      return;
    }
    int oy = rng.nextInt(h - size + 1);
    int ox = rng.nextInt(w - size + 1);
    boolean flipV = false;
    boolean flipH = false;
    int rot = 0;
    if (config.data().flips()) {
      flipV = rng.nextBoolean();
      flipH = rng.nextBoolean();
    }
    if (config.data().rotations()) {
      rot = rng.nextInt(4);
    }
    int s = size;
    for (int c = 0; c < channels; c++) {
      int src = c * h * w;
      int dst = off + c * s * s;
      for (int y = 0; y < s; y++) {
        for (int x = 0; x < s; x++) {
          int u = flipV ? s - 1 - y : y;
          int v = flipH ? s - 1 - x : x;
          for (int r = 0; r < rot; r++) {
            int tmp = u;
            u = v;
            v = s - 1 - tmp;
          }
          out[dst + y * s + x] = item[src + (oy + u) * w + ox + v];
        }
      }
    }
  }

  /** A well-mixed stream seed for (seed, step): murmur3's finaliser over both. */
  static long mix(long seed, int step) {
    long z = seed ^ (0x9E3779B97F4A7C15L * (step + 1L));
    z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
    z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
    return z ^ (z >>> 33);
  }
}
