package ai.diffad.evaluation.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.diffad.denoise.io.Images;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CleanImageSetTest {
  @TempDir Path tmp;

  private CleanImageSet fakeSet() throws IOException {
    float[] white = new float[64 * 64];
    Arrays.fill(white, 1f);
    float[] mid = new float[64 * 64];
    Images.writePng(tmp.resolve("02.png"), white, 1, 64, 64, 8);
    Images.writePng(tmp.resolve("01.png"), mid, 1, 64, 64, 8);
    return CleanImageSet.open(tmp, 1);
  }

  @Test
  void loadsImagesInNameOrder() throws IOException {
    CleanImageSet set = fakeSet();
    assertThat(set.images()).extracting(CleanImageSet.CleanImage::name)
        .containsExactly("01.png", "02.png");
    assertThat(set.images().get(1).image().data()[0]).isCloseTo(1f, within(1e-6f));
  }

  @Test
  void noiseHasTheRequestedSigmaOnTheSignedScaleAndIsNotClipped() throws IOException {
    CleanImageSet set = fakeSet();
    // sigma 25 on 0-255 = 2*25/255 = 0.19608 on [-1, 1].
    float[] noisy = set.noisy(0, 25, 1234);
    float[] clean = set.images().get(0).image().data();
    double sum = 0;
    double sq = 0;
    for (int i = 0; i < noisy.length; i++) {
      double d = noisy[i] - clean[i];
      sum += d;
      sq += d * d;
    }
    double mean = sum / noisy.length;
    double std = Math.sqrt(sq / noisy.length - mean * mean);
    assertThat(std).isCloseTo(2 * 25 / 255.0, within(0.01));
    assertThat(mean).isCloseTo(0.0, within(0.01));
    // White image: unclipped noise goes above 1, clipped noise does not.
    float[] white = set.noisy(1, 25, 1234);
    float max = Float.NEGATIVE_INFINITY;
    for (float v : white) {
      max = Math.max(max, v);
    }
    assertThat(max).isGreaterThan(1.2f);
    float[] clipped = set.noisy(1, 25, 1234, true);
    for (float v : clipped) {
      assertThat(v).isBetween(-1f, 1f);
    }
  }

  @Test
  void noiseDependsOnSeedNameAndSigmaOnly() throws IOException {
    CleanImageSet set = fakeSet();
    assertThat(set.noisy(0, 25, 1)).containsExactly(set.noisy(0, 25, 1));
    assertThat(set.noisy(0, 25, 1)).isNotEqualTo(set.noisy(0, 25, 2));
    assertThat(set.noisy(0, 15, 1)).isNotEqualTo(set.noisy(0, 25, 1));
    assertThat(CleanImageSet.addNoise(new float[] {0.5f}, 0, 9, false)).containsExactly(0.5f);
  }

  @Test
  void negativeSigmaIsRefused() {
    assertThatThrownBy(() -> CleanImageSet.addNoise(new float[1], -1, 0, false))
        .hasMessageContaining("sigma must be >= 0");
  }

  @Test
  void realSet12AndBsd68MatchTheManifest() throws IOException {
    Path root = RealData.dir("denoising_testsets");
    assumeTrue(Files.isDirectory(root), "../shared/data/denoising_testsets not present: skipped");
    CleanImageSet set12 = CleanImageSet.open(root.resolve("Set12"), 1);
    assertThat(set12.images()).hasSize(12);
    assertThat(set12.images().stream().filter(i -> i.image().width() == 256)).hasSize(7);
    assertThat(CleanImageSet.open(root.resolve("BSD68"), 1).images()).hasSize(68);
  }
}
