package ai.diffad.evaluation.baseline;

import ai.diffad.denoise.engine.AnomalyMaps;
import ai.diffad.denoise.engine.Resampling;
import ai.diffad.denoise.io.DecodedImage;
import java.util.Objects;

/**
 * The non-learned floor of ANCHORS.md: every image (gray) is resized to {@code side x side}, each
 * pixel is compared with the mean and spread of that pixel over the normal training images
 * ({@code |x - mean| / std}), the z map is Gaussian-blurred and resized back to the input, and the
 * image score is the map's maximum. It knows nothing of texture, so it measures how much of a
 * detector's result comes from alignment and brightness alone.
 */
public final class ZScoreBaseline {
  /** Floor on the per-pixel spread, in [-1, 1] units, so that constant pixels do not explode. */
  static final double MIN_STD = 1e-3;

  private final int side;
  private final double sigma;
  private final float[] mean;
  private final float[] std;
  private final int count;

  private ZScoreBaseline(int side, double sigma, float[] mean, float[] std, int count) {
    this.side = side;
    this.sigma = sigma;
    this.mean = mean;
    this.std = std;
    this.count = count;
  }

  /** Accumulates per-pixel statistics (Welford) of normal images. */
  public static final class Fitter {
    private final int side;
    private final double sigma;
    private final double[] mean;
    private final double[] m2;
    private int n;

    Fitter(int side, double sigma) {
      if (side < 4) {
        throw new IllegalArgumentException("side must be >= 4, got " + side);
      }
      if (!(sigma >= 0)) {
        throw new IllegalArgumentException("sigma must be >= 0, got " + sigma);
      }
      this.side = side;
      this.sigma = sigma;
      this.mean = new double[side * side];
      this.m2 = new double[side * side];
    }

    /** Adds one normal image. */
    public Fitter add(DecodedImage image) {
      float[] x = gray(image, side);
      n++;
      for (int i = 0; i < x.length; i++) {
        double d = x[i] - mean[i];
        mean[i] += d / n;
        m2[i] += d * (x[i] - mean[i]);
      }
      return this;
    }

    /** The fitted baseline; at least two images are needed for a spread. */
    public ZScoreBaseline fit() {
      if (n < 2) {
        throw new IllegalStateException("the z-score baseline needs at least 2 normal images, got " + n);
      }
      float[] mu = new float[mean.length];
      float[] sd = new float[mean.length];
      for (int i = 0; i < mu.length; i++) {
        mu[i] = (float) mean[i];
        sd[i] = (float) Math.max(MIN_STD, Math.sqrt(m2[i] / (n - 1)));
      }
      return new ZScoreBaseline(side, sigma, mu, sd, n);
    }
  }

  /**
   * Starts a fit.
   *
   * @param side the common square size images are compared at
   * @param sigma Gaussian blur of the z map, in pixels of that size (0: none)
   */
  public static Fitter fitter(int side, double sigma) {
    return new Fitter(side, sigma);
  }

  /** How many normal images the statistics came from. */
  public int count() {
    return count;
  }

  /** The z map of an image at its own resolution, (H, W). */
  public float[] map(DecodedImage image) {
    Objects.requireNonNull(image, "image");
    float[] x = gray(image, side);
    float[] z = new float[x.length];
    for (int i = 0; i < z.length; i++) {
      z[i] = Math.abs(x[i] - mean[i]) / std[i];
    }
    float[] smooth = sigma > 0 ? AnomalyMaps.smooth(z, side, side, sigma) : z;
    return Resampling.bilinear(smooth, 1, side, side, image.height(), image.width());
  }

  /** The image score: the maximum of the map. */
  public static double score(float[] map) {
    double m = Double.NEGATIVE_INFINITY;
    for (float v : map) {
      m = Math.max(m, v);
    }
    return m;
  }

  private static float[] gray(DecodedImage image, int side) {
    DecodedImage g = image.withChannels(1);
    return Resampling.likeTraining(g.data(), 1, g.height(), g.width(), side, side);
  }

  @Override
  public String toString() {
    return "z-score baseline (" + side + "x" + side + ", blur sigma " + sigma + ", " + count + " normal images)";
  }
}
