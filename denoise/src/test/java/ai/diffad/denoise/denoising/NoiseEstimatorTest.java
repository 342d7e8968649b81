package ai.diffad.denoise.denoising;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NoiseEstimatorTest {

  @ParameterizedTest
  @ValueSource(doubles = {5, 15, 25, 50})
  void knownNoiseOnSmoothTexturedImagesIsEstimatedWithin15Percent(double sigma) {
    SplittableRandom rng = new SplittableRandom(42);
    double worst = 0;
    for (int k = 0; k < 4; k++) {
      float[] clean = SmoothImages.image(128, 160, rng.split());
      float[] noisy = SmoothImages.addNoise(clean, sigma, 100 + k);
      double est = NoiseEstimator.estimate(noisy, 1, 128, 160);
      double err = (est - sigma) / sigma;
      System.out.printf("noise estimate: sigma %.0f image %d -> %.3f (%+.2f %%)%n",
          sigma, k, est, 100 * err);
      worst = Math.max(worst, Math.abs(err));
    }
    assertThat(worst).isLessThan(0.15);
  }

  @Test
  void aCleanSmoothImageHasAlmostNoNoise() {
    float[] clean = SmoothImages.image(128, 128, new SplittableRandom(3));
    assertThat(NoiseEstimator.estimate(clean, 1, 128, 128)).isLessThan(1.0);
  }

  @Test
  void channelsArePooled() {
    SplittableRandom rng = new SplittableRandom(9);
    float[] a = SmoothImages.addNoise(SmoothImages.image(64, 64, rng.split()), 20, 1);
    float[] b = SmoothImages.addNoise(SmoothImages.image(64, 64, rng.split()), 20, 2);
    float[] rgb = new float[3 * 64 * 64];
    System.arraycopy(a, 0, rgb, 0, a.length);
    System.arraycopy(b, 0, rgb, a.length, b.length);
    System.arraycopy(a, 0, rgb, 2 * a.length, a.length);
    assertThat(NoiseEstimator.estimate(rgb, 3, 64, 64)).isCloseTo(20.0, within(2.0));
  }

  @Test
  void imagesSmallerThan3x3OrOfTheWrongLengthAreRefused() {
    assertThatThrownBy(() -> NoiseEstimator.estimate(new float[4], 1, 2, 2))
        .hasMessageContaining("at least 3x3");
    assertThatThrownBy(() -> NoiseEstimator.estimate(new float[10], 1, 3, 3))
        .hasMessageContaining("10 values, expected 1x3x3");
  }
}
