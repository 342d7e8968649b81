package ai.diffad.evaluation.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ImageQualityTest {
  @Test
  void psnrOfOneErrorOfTenInFourPixels() {
    // MSE = 100/4 = 25; PSNR = 10 log10(255^2/25) = 10 log10(2601) = 34.15140352 dB.
    float[] a = {0, 0, 0, 0};
    float[] b = {10, 0, 0, 0};
    assertThat(Psnr.of(a, b)).isCloseTo(34.15140352195873, within(1e-9));
    // Same images on [-1, 1] (x/127.5 - 1) with peak 2 give the same PSNR.
    float[] sa = new float[4];
    float[] sb = new float[4];
    for (int i = 0; i < 4; i++) {
      sa[i] = a[i] / 127.5f - 1f;
      sb[i] = b[i] / 127.5f - 1f;
    }
    assertThat(Psnr.ofSignedUnit(sa, sb)).isCloseTo(34.15140352195873, within(1e-4));
    assertThat(Psnr.of(a, a)).isEqualTo(Double.POSITIVE_INFINITY);
  }

  @Test
  void ssimOfTwoConstantImagesIsTheLuminanceTerm() {
    // Variances are 0: SSIM = (2*100*110 + C1) / (100^2 + 110^2 + C1), C1 = (0.01*255)^2 = 6.5025
    // = 22006.5025 / 22106.5025 = 0.99547644.
    float[] a = new float[12 * 12];
    float[] b = new float[12 * 12];
    Arrays.fill(a, 100f);
    Arrays.fill(b, 110f);
    assertThat(Ssim.of(a, b, 12, 12)).isCloseTo(22006.5025 / 22106.5025, within(1e-12));
    assertThat(Ssim.of(a, a, 12, 12)).isCloseTo(1.0, within(1e-12));
  }

  @Test
  void ssimMatchesSkimageFormulaOnAPattern() {
    // Golden value from scipy.ndimage.gaussian_filter(sigma=1.5, truncate=3.5, mode='reflect')
    // with skimage's formula (use_sample_covariance=False) and a 5-pixel crop: 0.9793481698895825.
    int h = 16;
    int w = 20;
    float[] a = new float[h * w];
    float[] b = new float[h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int v = (y * 13 + x * 7) % 256;
        a[y * w + x] = v;
        b[y * w + x] = v + ((y * 5 + x * 3) % 17) - 8;
      }
    }
    assertThat(Ssim.of(a, b, h, w)).isCloseTo(0.9793481698895825, within(1e-9));
    // Two identical channels average to the same value.
    float[] a2 = new float[2 * h * w];
    float[] b2 = new float[2 * h * w];
    System.arraycopy(a, 0, a2, 0, h * w);
    System.arraycopy(a, 0, a2, h * w, h * w);
    System.arraycopy(b, 0, b2, 0, h * w);
    System.arraycopy(b, 0, b2, h * w, h * w);
    assertThat(Ssim.of(a2, b2, 2, h, w, 255)).isCloseTo(0.9793481698895825, within(1e-9));
  }

  @Test
  void reflectBorderIsHalfSampleSymmetric() {
    // scipy 'reflect': d c b a | a b c d | d c b a
    assertThat(Ssim.reflect(-1, 4)).isEqualTo(0);
    assertThat(Ssim.reflect(-2, 4)).isEqualTo(1);
    assertThat(Ssim.reflect(4, 4)).isEqualTo(3);
    assertThat(Ssim.reflect(5, 4)).isEqualTo(2);
  }

  @Test
  void tooSmallImagesAreRefused() {
    assertThatThrownBy(() -> Ssim.of(new float[100], new float[100], 10, 10))
        .hasMessageContaining("larger than 10 pixels");
  }
}
