package ai.diffad.denoise.engine;

import ai.diffad.config.MapKind;
import ai.diffad.config.ScoreReduction;
import java.util.Arrays;
import java.util.List;

/**
 * Anomaly maps from an input and its reconstruction, and scores from maps. Plain Java arrays; no
 * native memory. Stateless.
 *
 * <ul>
 *   <li>L1: {@code |x - r|}; L2: {@code (x - r)^2};
 *   <li>SSIM: {@code 1 - SSIM(x, r)} with local statistics from a Gaussian window of 11 taps,
 *       sigma 1.5 (Wang et al. 2004), constants {@code (0.01 L)^2, (0.03 L)^2} with the data range
 *       L = 2 of inputs in [-1, 1], computed per channel;
 *   <li>MIX: the weighted mean {@code (a L1 + b L2 + c SSIM) / (a + b + c)}, so a mix of equal maps
 *       is that map.
 * </ul>
 *
 * <p>Channel errors are averaged. Smoothing is a separable Gaussian truncated at 4 sigma with
 * reflect-101 borders (OpenCV's default), so a map's borders are not darkened by zero padding.
 */
public final class AnomalyMaps {
  /** SSIM window side (Wang et al. 2004). */
  public static final int SSIM_WINDOW = 11;
  /** SSIM window Gaussian sigma. */
  public static final double SSIM_SIGMA = 1.5;
  /** Data range of inputs in [-1, 1]. */
  static final double DATA_RANGE = 2.0;
  /** Gaussian kernels are cut at this many sigmas. */
  static final double TRUNCATE = 4.0;

  private AnomalyMaps() {}

  /**
   * The per-pixel error of one kind, averaged over channels.
   *
   * @param input (C, H, W)
   * @param reconstruction (C, H, W)
   * @param c channels
   * @param h height (1 for a series)
   * @param w width (length for a series)
   * @param kind L1, L2, SSIM or MIX
   * @param mixWeights weights of L1, L2 and SSIM for MIX (ignored otherwise); three values >= 0
   * @return (H, W)
   */
  public static float[] error(float[] input, float[] reconstruction, int c, int h, int w,
      MapKind kind, List<Double> mixWeights) {
    int n = c * h * w;
    if (input.length != n || reconstruction.length != n) {
      throw new IllegalArgumentException("input and reconstruction must both have " + c + "x" + h
          + "x" + w + " values, got " + input.length + " and " + reconstruction.length);
    }
    switch (kind) {
      case L1:
        return pointwise(input, reconstruction, c, h * w, false);
      case L2:
        return pointwise(input, reconstruction, c, h * w, true);
      case SSIM:
        return ssimError(input, reconstruction, c, h, w);
      case MIX:
        return mix(input, reconstruction, c, h, w, mixWeights);
      default:
        throw new IllegalArgumentException("unsupported map kind " + kind);
    }
  }

  private static float[] pointwise(float[] x, float[] r, int c, int hw, boolean squared) {
    float[] out = new float[hw];
    for (int k = 0; k < c; k++) {
      int off = k * hw;
      for (int p = 0; p < hw; p++) {
        double d = x[off + p] - r[off + p];
        out[p] += (float) ((squared ? d * d : Math.abs(d)) / c);
      }
    }
    return out;
  }

  private static float[] mix(float[] x, float[] r, int c, int h, int w, List<Double> weights) {
    if (weights == null || weights.size() != 3) {
      throw new IllegalArgumentException("mixWeights must have 3 entries (l1, l2, ssim), got "
          + weights);
    }
    double a = weights.get(0);
    double b = weights.get(1);
    double s = weights.get(2);
    double total = a + b + s;
    if (!(a >= 0 && b >= 0 && s >= 0 && total > 0)) {
      throw new IllegalArgumentException("mixWeights must be >= 0 and not all zero, got " + weights);
    }
    double[] acc = new double[h * w];
    if (a > 0) {
      addScaled(acc, pointwise(x, r, c, h * w, false), a / total);
    }
    if (b > 0) {
      addScaled(acc, pointwise(x, r, c, h * w, true), b / total);
    }
    if (s > 0) {
      addScaled(acc, ssimError(x, r, c, h, w), s / total);
    }
    float[] out = new float[acc.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) acc[i];
    }
    return out;
  }

  private static void addScaled(double[] acc, float[] v, double k) {
    for (int i = 0; i < acc.length; i++) {
      acc[i] += k * v[i];
    }
  }

  /** 1 - local SSIM per channel, averaged over channels. */
  static float[] ssimError(float[] x, float[] r, int c, int h, int w) {
    int hw = h * w;
    double c1 = Math.pow(0.01 * DATA_RANGE, 2);
    double c2 = Math.pow(0.03 * DATA_RANGE, 2);
    double[] k = gaussianKernel(SSIM_SIGMA, SSIM_WINDOW / 2);
    float[] out = new float[hw];
    double[] a = new double[hw];
    double[] b = new double[hw];
    double[] aa = new double[hw];
    double[] bb = new double[hw];
    double[] ab = new double[hw];
    for (int ch = 0; ch < c; ch++) {
      int off = ch * hw;
      for (int p = 0; p < hw; p++) {
        double u = x[off + p];
        double v = r[off + p];
        a[p] = u;
        b[p] = v;
        aa[p] = u * u;
        bb[p] = v * v;
        ab[p] = u * v;
      }
      double[] mu1 = filter(a, h, w, k);
      double[] mu2 = filter(b, h, w, k);
      double[] s11 = filter(aa, h, w, k);
      double[] s22 = filter(bb, h, w, k);
      double[] s12 = filter(ab, h, w, k);
      for (int p = 0; p < hw; p++) {
        double m1 = mu1[p];
        double m2 = mu2[p];
        double v1 = s11[p] - m1 * m1;
        double v2 = s22[p] - m2 * m2;
        double cov = s12[p] - m1 * m2;
        double ssim = ((2 * m1 * m2 + c1) * (2 * cov + c2))
            / ((m1 * m1 + m2 * m2 + c1) * (v1 + v2 + c2));
        out[p] += (float) ((1.0 - ssim) / c);
      }
    }
    return out;
  }

  /**
   * Gaussian smoothing with a separable kernel truncated at 4 sigma and reflect-101 borders. A
   * series is a map of height 1.
   *
   * @param map (H, W)
   * @param h height
   * @param w width
   * @param sigma in pixels; 0 returns a copy
   * @return a new smoothed map
   */
  public static float[] smooth(float[] map, int h, int w, double sigma) {
    if (map.length != h * w) {
      throw new IllegalArgumentException("map has " + map.length + " values, expected " + h + "x"
          + w);
    }
    if (!(sigma >= 0)) {
      throw new IllegalArgumentException("sigma must be >= 0, got " + sigma);
    }
    if (sigma == 0) {
      return map.clone();
    }
    double[] d = new double[map.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = map[i];
    }
    double[] k = gaussianKernel(sigma, (int) Math.ceil(TRUNCATE * sigma));
    double[] s = filter(d, h, w, k);
    float[] out = new float[s.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) s[i];
    }
    return out;
  }

  /** A normalised Gaussian of 2 radius + 1 taps. */
  static double[] gaussianKernel(double sigma, int radius) {
    double[] k = new double[2 * radius + 1];
    double sum = 0;
    for (int i = -radius; i <= radius; i++) {
      k[i + radius] = Math.exp(-0.5 * i * i / (sigma * sigma));
      sum += k[i + radius];
    }
    for (int i = 0; i < k.length; i++) {
      k[i] /= sum;
    }
    return k;
  }

  /** Separable filtering with an odd, symmetric kernel along rows then columns (reflect-101). */
  static double[] filter(double[] src, int h, int w, double[] k) {
    int r = k.length / 2;
    double[] tmp = new double[src.length];
    for (int y = 0; y < h; y++) {
      int row = y * w;
      for (int x = 0; x < w; x++) {
        double s = 0;
        for (int j = -r; j <= r; j++) {
          s += k[j + r] * src[row + TilePlan.reflect(x + j, w)];
        }
        tmp[row + x] = s;
      }
    }
    if (h == 1) {
      return tmp;
    }
    double[] out = new double[src.length];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double s = 0;
        for (int j = -r; j <= r; j++) {
          s += k[j + r] * tmp[TilePlan.reflect(y + j, h) * w + x];
        }
        out[y * w + x] = s;
      }
    }
    return out;
  }

  /**
   * One score from a map.
   *
   * @param map any values
   * @param reduction MAX, TOP_K (mean of the largest {@code ceil(n * topKPercent / 100)} values,
   *     at least one) or MEAN
   * @param topKPercent share of values TOP_K averages, in (0, 100]
   * @return the score
   */
  public static double score(float[] map, ScoreReduction reduction, double topKPercent) {
    return score(map, 0, map.length, reduction, topKPercent);
  }

  /** {@link #score(float[], ScoreReduction, double)} over {@code map[from, to)}. */
  public static double score(float[] map, int from, int to, ScoreReduction reduction,
      double topKPercent) {
    if (from < 0 || to > map.length || from >= to) {
      throw new IllegalArgumentException("empty or out-of-range span [" + from + ", " + to
          + ") of " + map.length + " values");
    }
    int n = to - from;
    switch (reduction) {
      case MAX: {
        double m = Double.NEGATIVE_INFINITY;
        for (int i = from; i < to; i++) {
          m = Math.max(m, map[i]);
        }
        return m;
      }
      case MEAN: {
        double s = 0;
        for (int i = from; i < to; i++) {
          s += map[i];
        }
        return s / n;
      }
      case TOP_K: {
        if (!(topKPercent > 0 && topKPercent <= 100)) {
          throw new IllegalArgumentException("topKPercent must be in (0, 100], got " + topKPercent);
        }
        int k = Math.max(1, (int) Math.ceil(n * topKPercent / 100.0 - 1e-9));
        float[] sorted = Arrays.copyOfRange(map, from, to);
        Arrays.sort(sorted);
        double s = 0;
        for (int i = n - k; i < n; i++) {
          s += sorted[i];
        }
        return s / k;
      }
      default:
        throw new IllegalArgumentException("unsupported reduction " + reduction);
    }
  }

  /** Index of the largest value (the first one on ties). */
  public static int argmax(float[] map) {
    int best = 0;
    for (int i = 1; i < map.length; i++) {
      if (map[i] > map[best]) {
        best = i;
      }
    }
    return best;
  }

  /**
   * Scores of windows over a per-time-step score: window i covers {@code [i * stride, i * stride
   * + window)}, plus a last window ending at the series' end when the stride does not reach it.
   * A series shorter than one window gets a single window over all of it.
   *
   * @param perStep per-time-step scores
   * @param window window length, > 0
   * @param stride window stride, > 0
   * @param reduction how a window's values become its score
   * @param topKPercent for TOP_K
   * @return the window starts and scores
   */
  public static WindowScores windowScores(float[] perStep, int window, int stride,
      ScoreReduction reduction, double topKPercent) {
    if (window <= 0 || stride <= 0) {
      throw new IllegalArgumentException("window and stride must be > 0, got " + window + ", "
          + stride);
    }
    int n = perStep.length;
    int len = Math.min(window, n);
    int count = (n - len) / stride + 1;
    boolean tail = (count - 1) * stride + len < n;
    int[] starts = new int[count + (tail ? 1 : 0)];
    double[] scores = new double[starts.length];
    for (int i = 0; i < starts.length; i++) {
      starts[i] = i < count ? i * stride : n - len;
      scores[i] = score(perStep, starts[i], starts[i] + len, reduction, topKPercent);
    }
    return new WindowScores(starts, len, scores);
  }

  /**
   * Per-window scores of a series.
   *
   * @param starts first time step of each window
   * @param length window length
   * @param scores one score per window
   */
  public record WindowScores(int[] starts, int length, double[] scores) {}
}
