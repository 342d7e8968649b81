package ai.diffad.denoise.io;

import java.util.Arrays;
import java.util.List;

/**
 * Per-channel mean and standard deviation of the training series, saved with the model so that
 * scoring normalises inputs exactly as training did: x' = (x - mean[c]) / std[c]. Plain double
 * arrays, so the record serialises to JSON as {@code {"mean": [...], "std": [...]}}.
 *
 * @param mean per-channel mean
 * @param std per-channel population standard deviation, > 0 (a constant channel gets 1, so it
 *     normalises to 0 rather than dividing by zero)
 */
public record SensorStats(double[] mean, double[] std) {
  /** Channels with a standard deviation below this are treated as constant (std 1). */
  public static final double MIN_STD = 1e-8;

  /** Validates the arrays. */
  public SensorStats {
    if (mean == null || std == null || mean.length == 0 || mean.length != std.length) {
      throw new IllegalArgumentException("mean and std must be non-empty and the same length");
    }
    for (int c = 0; c < mean.length; c++) {
      if (!Double.isFinite(mean[c]) || !(std[c] > 0) || !Double.isFinite(std[c])) {
        throw new IllegalArgumentException("channel " + c + ": mean " + mean[c] + ", std "
            + std[c] + " (need finite mean and finite std > 0)");
      }
    }
    mean = mean.clone();
    std = std.clone();
  }

  /** Number of channels. */
  public int channels() {
    return mean.length;
  }

  /**
   * Statistics pooled over every time step of every series (all must have the same channels).
   * Accumulates in double, shifted by each channel's first value for numerical stability.
   */
  public static SensorStats of(List<SensorSeries> series) {
    if (series.isEmpty()) {
      throw new IllegalArgumentException("no series to compute statistics from");
    }
    int c = series.get(0).channels();
    double[] shift = new double[c];
    double[] sum = new double[c];
    double[] sumSq = new double[c];
    long n = 0;
    for (int k = 0; k < c; k++) {
      shift[k] = series.get(0).value(k, 0);
    }
    for (SensorSeries s : series) {
      if (s.channels() != c) {
        throw new IllegalArgumentException("series have " + c + " and " + s.channels()
            + " channels; all must have the same");
      }
      for (int k = 0; k < c; k++) {
        int base = k * s.length();
        for (int t = 0; t < s.length(); t++) {
          double d = s.values()[base + t] - shift[k];
          sum[k] += d;
          sumSq[k] += d * d;
        }
      }
      n += s.length();
    }
    double[] mean = new double[c];
    double[] std = new double[c];
    for (int k = 0; k < c; k++) {
      double m = sum[k] / n;
      double var = Math.max(0, sumSq[k] / n - m * m);
      mean[k] = shift[k] + m;
      double sd = Math.sqrt(var);
      std[k] = sd < MIN_STD ? 1.0 : sd;
    }
    return new SensorStats(mean, std);
  }

  /** The statistics of the first {@code n} channels. */
  public SensorStats head(int n) {
    if (n < 1 || n > channels()) {
      throw new IllegalArgumentException("the first " + n + " of " + channels() + " channels");
    }
    return n == channels() ? this
        : new SensorStats(Arrays.copyOf(mean, n), Arrays.copyOf(std, n));
  }

  /** The series' values normalised per channel, channel-major (C, L), as a new array. */
  public float[] normalise(SensorSeries s) {
    if (s.channels() != channels()) {
      throw new IllegalArgumentException("series has " + s.channels()
          + " channels, the statistics " + channels());
    }
    float[] out = new float[s.values().length];
    int len = s.length();
    for (int k = 0; k < channels(); k++) {
      double m = mean[k];
      double inv = 1.0 / std[k];
      for (int t = 0; t < len; t++) {
        out[k * len + t] = (float) ((s.values()[k * len + t] - m) * inv);
      }
    }
    return out;
  }

  /** Undoes {@link #normalise} on channel-major (C, L) data, in place. */
  public void denormaliseInPlace(float[] data, int length) {
    for (int k = 0; k < channels(); k++) {
      for (int t = 0; t < length; t++) {
        data[k * length + t] = (float) (data[k * length + t] * std[k] + mean[k]);
      }
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SensorStats s && Arrays.equals(mean, s.mean) && Arrays.equals(std, s.std);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
  }

  @Override
  public String toString() {
    return "SensorStats[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
  }
}
