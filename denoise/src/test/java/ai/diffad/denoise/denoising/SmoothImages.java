package ai.diffad.denoise.denoising;

import java.util.SplittableRandom;

/** Clean test images that are smooth but textured, and seeded unclipped Gaussian noise. */
final class SmoothImages {
  private SmoothImages() {}

  /**
   * A gray image in about [-0.9, 0.9]: a gradient plus four oriented sinusoids with periods of 8 to
   * 40 pixels, random orientation and phase.
   */
  static float[] image(int height, int width, SplittableRandom rng) {
    double gx = rng.nextDouble(-0.2, 0.2);
    double gy = rng.nextDouble(-0.2, 0.2);
    double offset = rng.nextDouble(-0.1, 0.1);
    int waves = 4;
    double[] kx = new double[waves];
    double[] ky = new double[waves];
    double[] phase = new double[waves];
    double[] amp = new double[waves];
    for (int i = 0; i < waves; i++) {
      double period = rng.nextDouble(8, 40);
      double angle = rng.nextDouble(0, Math.PI);
      kx[i] = 2 * Math.PI / period * Math.cos(angle);
      ky[i] = 2 * Math.PI / period * Math.sin(angle);
      phase[i] = rng.nextDouble(0, 2 * Math.PI);
      amp[i] = rng.nextDouble(0.08, 0.16);
    }
    float[] out = new float[height * width];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        double v = offset + gx * (2.0 * x / width - 1) + gy * (2.0 * y / height - 1);
        for (int i = 0; i < waves; i++) {
          v += amp[i] * Math.sin(kx[i] * x + ky[i] * y + phase[i]);
        }
        out[y * width + x] = (float) v;
      }
    }
    return out;
  }

  /** clean + N(0, (sigma / 127.5)^2), not clipped. */
  static float[] addNoise(float[] clean, double sigma0to255, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double s = sigma0to255 / 127.5;
    float[] out = new float[clean.length];
    for (int i = 0; i < clean.length; i++) {
      out[i] = (float) (clean[i] + s * gaussian(rng));
    }
    return out;
  }

  /** PSNR in dB of an estimate against the clean image, both in [-1, 1] (peak-to-peak 2). */
  static double psnr(float[] clean, float[] estimate) {
    double se = 0;
    for (int i = 0; i < clean.length; i++) {
      double d = clean[i] - estimate[i];
      se += d * d;
    }
    return 10 * Math.log10(4.0 / (se / clean.length));
  }

  private static double gaussian(SplittableRandom rng) {
    // Box-Muller; SplittableRandom has no nextGaussian in Java 17.
    double u1 = 1.0 - rng.nextDouble();
    double u2 = rng.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}
