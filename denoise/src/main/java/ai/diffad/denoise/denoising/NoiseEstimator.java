package ai.diffad.denoise.denoising;

import java.util.Arrays;

/**
 * Estimates the standard deviation of additive white Gaussian noise in an image, on the 0-255
 * scale, from the image alone.
 *
 * <p>Method: Immerkær's noise mask (Immerkær 1997, "Fast noise variance estimation"), made robust
 * with a median. The mask
 *
 * <pre>
 *  1 -2  1
 * -2  4 -2
 *  1 -2  1
 * </pre>
 *
 * is the difference of two Laplacians (the product of two second differences, d2/dx2 d2/dy2): it
 * is zero on every image that is linear in x or in y, and its response to a smooth structure of
 * frequency w falls off like w^4, so image content barely reaches it while white noise of standard
 * deviation sigma comes through with standard deviation 6 sigma (the mask's L2 norm is 6).
 * Immerkær averages |response|; edges and fine texture then leak into the estimate. Taking the
 * median instead (Donoho's MAD idea: median |N(0, s)| = 0.6745 s) ignores the minority of pixels
 * where structure dominates, which is what keeps the estimate within a few percent on textured
 * images:
 *
 * <pre>sigma = median(|I * N|) / (6 * 0.6745)</pre>
 *
 * over all interior pixels of all channels. The median of the finest diagonal (HH) wavelet band
 * is the same idea with a Haar filter, whose response to smooth content only falls like w^2 and
 * which sees a quarter of the pixels; the mask above is the sharper of the two.
 *
 * <p>Limits: clipped noise (saturated regions) and structure finer than about 3 pixels over most
 * of the image make the estimate too high or too low; noise that is not white (JPEG, demosaicing)
 * is not what the estimate measures. Stateless.
 */
public final class NoiseEstimator {
  /** median(|X|) / sigma for a zero-mean Gaussian X: the 0.75 quantile of N(0, 1). */
  static final double MAD_TO_SIGMA = 0.6744897501960817;

  /** The L2 norm of the mask: sqrt(1 + 4 + 1 + 4 + 16 + 4 + 1 + 4 + 1). */
  static final double MASK_NORM = 6.0;

  private static final double HALF_RANGE_255 = 127.5;

  private NoiseEstimator() {}

  /**
   * The noise sigma of a planar image in [-1, 1], on the 0-255 scale (so that it can be compared
   * with {@code NoiseSchedule.sigmaEquiv} and passed to the denoiser).
   *
   * @param image planar (C, H, W) values, [-1, 1] nominally (values outside are fine: noise is
   *     not assumed to be clipped)
   * @param channels C >= 1
   * @param height H >= 3
   * @param width W >= 3
   * @return the estimated sigma, >= 0
   */
  public static double estimate(float[] image, int channels, int height, int width) {
    if (channels < 1 || height < 3 || width < 3) {
      throw new IllegalArgumentException(
          "noise estimation needs at least 3x3 pixels and one channel, got " + channels + "x"
              + height + "x" + width);
    }
    if (image.length != (long) channels * height * width) {
      throw new IllegalArgumentException("image has " + image.length + " values, expected "
          + channels + "x" + height + "x" + width);
    }
    int inner = (height - 2) * (width - 2);
    double[] responses = new double[channels * inner];
    int k = 0;
    for (int c = 0; c < channels; c++) {
      int base = c * height * width;
      for (int y = 1; y < height - 1; y++) {
        int up = base + (y - 1) * width;
        int mid = base + y * width;
        int down = base + (y + 1) * width;
        for (int x = 1; x < width - 1; x++) {
          double r = image[up + x - 1] - 2.0 * image[up + x] + image[up + x + 1]
              - 2.0 * (image[mid + x - 1] - 2.0 * image[mid + x] + image[mid + x + 1])
              + image[down + x - 1] - 2.0 * image[down + x] + image[down + x + 1];
          responses[k++] = Math.abs(r);
        }
      }
    }
    double median = median(responses);
    return median / (MASK_NORM * MAD_TO_SIGMA) * HALF_RANGE_255;
  }

  private static double median(double[] values) {
    Arrays.sort(values);
    int n = values.length;
    return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
  }
}
