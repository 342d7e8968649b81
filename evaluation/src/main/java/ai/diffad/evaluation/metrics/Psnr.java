package ai.diffad.evaluation.metrics;

/**
 * Peak signal-to-noise ratio, 10·log10(peak² / MSE), in dB. PSNR does not depend on the scale as
 * long as the peak matches it: images in [-1, 1] with peak 2 give the same value as the same
 * images on 0–255 with peak 255.
 */
public final class Psnr {
  /** Peak of 8-bit images on the 0–255 scale. */
  public static final double PEAK_255 = 255.0;

  private Psnr() {}

  /** PSNR of two images on the 0–255 scale. Identical images give +Infinity. */
  public static double of(float[] reference, float[] test) {
    return of(reference, test, PEAK_255);
  }

  /** PSNR with the given peak (the data range, e.g. 2 for images in [-1, 1]). */
  public static double of(float[] reference, float[] test, double peak) {
    if (reference.length != test.length || reference.length == 0) {
      throw new IllegalArgumentException("images must have the same, non-zero size, got "
          + reference.length + " and " + test.length);
    }
    if (!(peak > 0)) {
      throw new IllegalArgumentException("peak must be > 0, got " + peak);
    }
    double se = 0;
    for (int i = 0; i < reference.length; i++) {
      double d = (double) reference[i] - test[i];
      se += d * d;
    }
    double mse = se / reference.length;
    return 10.0 * Math.log10(peak * peak / mse);
  }

  /** PSNR of two images given in [-1, 1] (the pipeline's planar floats); peak 2. */
  public static double ofSignedUnit(float[] reference, float[] test) {
    return of(reference, test, 2.0);
  }
}
