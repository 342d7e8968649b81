package ai.diffad.evaluation.metrics;

/**
 * Mean structural similarity (Wang et al. 2004) as scikit-image's
 * {@code structural_similarity(..., gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
 * data_range=L)}: Gaussian window sigma 1.5 truncated at 3.5 sigma (11 taps), K1 = 0.01, K2 = 0.03,
 * local statistics filtered with 'reflect' borders (scipy's half-sample symmetric: d c b a | a b c
 * d), and the SSIM map averaged after cropping (11 − 1) / 2 = 5 pixels on each side. Colour images
 * average the per-channel values (skimage's channel_axis).
 */
public final class Ssim {
  private static final double SIGMA = 1.5;
  private static final double TRUNCATE = 3.5;
  private static final double K1 = 0.01;
  private static final double K2 = 0.03;
  private static final double[] KERNEL = gaussianKernel();
  private static final int RADIUS = KERNEL.length / 2;

  private Ssim() {}

  /** SSIM of two grayscale images on the 0–255 scale (data range 255). */
  public static double of(float[] reference, float[] test, int height, int width) {
    return of(reference, test, 1, height, width, 255.0);
  }

  /**
   * SSIM of two planar (C, H, W) images.
   *
   * @param dataRange max − min of the scale (255 for 0–255, 2 for [-1, 1])
   */
  public static double of(float[] reference, float[] test, int channels, int height, int width,
      double dataRange) {
    int hw = height * width;
    if (reference.length != channels * hw || test.length != channels * hw) {
      throw new IllegalArgumentException("images must hold " + channels + "x" + height + "x"
          + width + " values, got " + reference.length + " and " + test.length);
    }
    if (height <= 2 * RADIUS || width <= 2 * RADIUS) {
      throw new IllegalArgumentException("SSIM needs images larger than " + 2 * RADIUS
          + " pixels on each side, got " + height + "x" + width);
    }
    double c1 = (K1 * dataRange) * (K1 * dataRange);
    double c2 = (K2 * dataRange) * (K2 * dataRange);
    double total = 0;
    for (int c = 0; c < channels; c++) {
      double[] x = new double[hw];
      double[] y = new double[hw];
      for (int i = 0; i < hw; i++) {
        x[i] = reference[c * hw + i];
        y[i] = test[c * hw + i];
      }
      double[] xx = new double[hw];
      double[] yy = new double[hw];
      double[] xy = new double[hw];
      for (int i = 0; i < hw; i++) {
        xx[i] = x[i] * x[i];
        yy[i] = y[i] * y[i];
        xy[i] = x[i] * y[i];
      }
      double[] ux = filter(x, height, width);
      double[] uy = filter(y, height, width);
      double[] uxx = filter(xx, height, width);
      double[] uyy = filter(yy, height, width);
      double[] uxy = filter(xy, height, width);
      double sum = 0;
      long n = 0;
      for (int r = RADIUS; r < height - RADIUS; r++) {
        for (int q = RADIUS; q < width - RADIUS; q++) {
          int i = r * width + q;
          double vx = uxx[i] - ux[i] * ux[i];
          double vy = uyy[i] - uy[i] * uy[i];
          double vxy = uxy[i] - ux[i] * uy[i];
          double a1 = 2 * ux[i] * uy[i] + c1;
          double a2 = 2 * vxy + c2;
          double b1 = ux[i] * ux[i] + uy[i] * uy[i] + c1;
          double b2 = vx + vy + c2;
          sum += (a1 * a2) / (b1 * b2);
          n++;
        }
      }
      total += sum / n;
    }
    return total / channels;
  }

  /** Separable Gaussian filter with scipy's 'reflect' border. */
  private static double[] filter(double[] img, int h, int w) {
    double[] tmp = new double[h * w];
    for (int r = 0; r < h; r++) {
      for (int q = 0; q < w; q++) {
        double s = 0;
        for (int k = -RADIUS; k <= RADIUS; k++) {
          s += KERNEL[k + RADIUS] * img[r * w + reflect(q + k, w)];
        }
        tmp[r * w + q] = s;
      }
    }
    double[] out = new double[h * w];
    for (int r = 0; r < h; r++) {
      for (int q = 0; q < w; q++) {
        double s = 0;
        for (int k = -RADIUS; k <= RADIUS; k++) {
          s += KERNEL[k + RADIUS] * tmp[reflect(r + k, h) * w + q];
        }
        out[r * w + q] = s;
      }
    }
    return out;
  }

  static int reflect(int i, int n) {
    int period = 2 * n;
    int m = Math.floorMod(i, period);
    return m < n ? m : period - 1 - m;
  }

  private static double[] gaussianKernel() {
    int radius = (int) (TRUNCATE * SIGMA + 0.5); // scipy gaussian_filter1d: 5 -> 11 taps
    double[] k = new double[2 * radius + 1];
    double sum = 0;
    for (int i = -radius; i <= radius; i++) {
      k[i + radius] = Math.exp(-0.5 * i * i / (SIGMA * SIGMA));
      sum += k[i + radius];
    }
    for (int i = 0; i < k.length; i++) {
      k[i] /= sum;
    }
    return k;
  }
}
