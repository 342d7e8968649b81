package ai.diffad.denoise.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.diffad.config.MapKind;
import ai.diffad.config.ScoreReduction;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AnomalyMapsTest {
  private static final List<Double> NO_MIX = List.of(1.0, 0.0, 1.0);

  @Test
  void l1AndL2AreAbsoluteAndSquaredDifferences() {
    float[] x = {0f, 0.5f, -1f, 1f};
    float[] r = {0.5f, 0.5f, 0f, 0f};
    assertThat(AnomalyMaps.error(x, r, 1, 2, 2, MapKind.L1, NO_MIX))
        .containsExactly(0.5f, 0f, 1f, 1f);
    assertThat(AnomalyMaps.error(x, r, 1, 2, 2, MapKind.L2, NO_MIX))
        .containsExactly(0.25f, 0f, 1f, 1f);
  }

  @Test
  void channelErrorsAreAveraged() {
    float[] x = {1f, 1f, 0f, 0f};
    float[] r = {0f, 0f, 0f, 1f};
    assertThat(AnomalyMaps.error(x, r, 2, 1, 2, MapKind.L1, NO_MIX)).containsExactly(0.5f, 1f);
  }

  @Test
  void ssimOfIdenticalImagesGivesAZeroMap() {
    SplittableRandom rng = new SplittableRandom(3);
    float[] x = new float[2 * 20 * 24];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    float[] map = AnomalyMaps.error(x, x.clone(), 2, 20, 24, MapKind.SSIM, NO_MIX);
    for (float v : map) {
      assertThat(v).isCloseTo(0f, within(1e-6f));
    }
  }

  @Test
  void ssimOfTwoConstantImagesMatchesTheClosedForm() {
    // Constant images a and b: variances and covariance vanish, so
    // SSIM = (2ab + C1) / (a^2 + b^2 + C1), C1 = (0.01 * 2)^2 = 0.0004.
    float[] a = new float[7 * 7];
    float[] b = new float[7 * 7];
    Arrays.fill(a, 0.5f);
    float[] map = AnomalyMaps.error(a, b, 1, 7, 7, MapKind.SSIM, NO_MIX);
    double expected = 1 - 0.0004 / (0.25 + 0.0004);
    for (float v : map) {
      assertThat((double) v).isCloseTo(expected, within(1e-6));
    }
    Arrays.fill(b, 0.5f);
    assertThat(AnomalyMaps.error(a, b, 1, 7, 7, MapKind.SSIM, NO_MIX)[24])
        .isCloseTo(0f, within(1e-6f));
  }

  @Test
  void ssimSeesAStructureChangeThatL1RatesAsSmall() {
    // Same mean, opposite sign of a small checkerboard: SSIM's structure term is -1.
    float[] a = new float[16 * 16];
    float[] b = new float[16 * 16];
    for (int y = 0; y < 16; y++) {
      for (int x = 0; x < 16; x++) {
        a[y * 16 + x] = ((x + y) % 2 == 0) ? 0.2f : -0.2f;
        b[y * 16 + x] = -a[y * 16 + x];
      }
    }
    float ssim = AnomalyMaps.error(a, b, 1, 16, 16, MapKind.SSIM, NO_MIX)[8 * 16 + 8];
    // 1 - (C1 (-2 var + C2)) / (C1 (2 var + C2)) with var ~ 0.04 and C2 = 0.0036
    assertThat(ssim).isGreaterThan(1.8f);
  }

  @Test
  void mixIsTheWeightedMeanOfItsParts() {
    float[] a = new float[7 * 7];
    float[] b = new float[7 * 7];
    Arrays.fill(a, 0.5f);
    float[] mix = AnomalyMaps.error(a, b, 1, 7, 7, MapKind.MIX, List.of(1.0, 0.0, 1.0));
    double ssim = 1 - 0.0004 / (0.25 + 0.0004);
    assertThat((double) mix[10]).isCloseTo((0.5 + ssim) / 2, within(1e-6));
    float[] l2heavy = AnomalyMaps.error(a, b, 1, 7, 7, MapKind.MIX, List.of(1.0, 3.0, 0.0));
    assertThat((double) l2heavy[0]).isCloseTo((0.5 + 3 * 0.25) / 4, within(1e-6));
  }

  @Test
  void smoothingKeepsConstantsAndSpreadsAnImpulseLikeAGaussian() {
    float[] flat = new float[15 * 17];
    Arrays.fill(flat, 0.3f);
    for (float v : AnomalyMaps.smooth(flat, 15, 17, 2.0)) {
      assertThat(v).isCloseTo(0.3f, within(1e-6f));
    }
    float[] impulse = new float[21 * 21];
    impulse[10 * 21 + 10] = 1f;
    float[] s = AnomalyMaps.smooth(impulse, 21, 21, 1.0);
    double k0 = 0;
    for (int i = -4; i <= 4; i++) {
      k0 += Math.exp(-0.5 * i * i);
    }
    k0 = 1 / k0;
    assertThat((double) s[10 * 21 + 10]).isCloseTo(k0 * k0, within(1e-6));
    assertThat((double) s[10 * 21 + 11]).isCloseTo(k0 * k0 * Math.exp(-0.5), within(1e-6));
    double sum = 0;
    for (float v : s) {
      sum += v;
    }
    assertThat(sum).isCloseTo(1.0, within(1e-5));
    assertThat(AnomalyMaps.argmax(s)).isEqualTo(10 * 21 + 10);
  }

  @Test
  void smoothingReflectsAtBordersInsteadOfDarkeningThem() {
    float[] flat = new float[1 * 30];
    Arrays.fill(flat, 1f);
    float[] s = AnomalyMaps.smooth(flat, 1, 30, 3.0);
    assertThat(s[0]).isCloseTo(1f, within(1e-6f));
    assertThat(s[29]).isCloseTo(1f, within(1e-6f));
  }

  @Test
  void scoreReductionsOnAHandMadeMap() {
    float[] map = {0.1f, 0.9f, 0.3f, 0.5f, 0.2f, 0.7f, 0.4f, 0.8f, 0.6f, 0.0f};
    assertThat(AnomalyMaps.score(map, ScoreReduction.MAX, 1)).isCloseTo(0.9, within(1e-6));
    assertThat(AnomalyMaps.score(map, ScoreReduction.MEAN, 1)).isCloseTo(0.45, within(1e-6));
    assertThat(AnomalyMaps.score(map, ScoreReduction.TOP_K, 20)).isCloseTo(0.85, within(1e-6));
    // 25 % of 10 values rounds up to 3
    assertThat(AnomalyMaps.score(map, ScoreReduction.TOP_K, 25)).isCloseTo(0.8, within(1e-6));
    assertThat(AnomalyMaps.score(map, ScoreReduction.TOP_K, 1)).isCloseTo(0.9, within(1e-6));
    assertThat(AnomalyMaps.score(map, ScoreReduction.TOP_K, 100)).isCloseTo(0.45, within(1e-6));
    assertThat(AnomalyMaps.argmax(map)).isEqualTo(1);
  }

  @Test
  void windowScoresCoverTheSeriesIncludingItsTail() {
    float[] steps = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    AnomalyMaps.WindowScores even = AnomalyMaps.windowScores(steps, 4, 3, ScoreReduction.MAX, 1);
    assertThat(even.starts()).containsExactly(0, 3, 6);
    assertThat(even.scores()).containsExactly(3, 6, 9);
    AnomalyMaps.WindowScores tail = AnomalyMaps.windowScores(steps, 4, 4, ScoreReduction.MEAN, 1);
    assertThat(tail.starts()).containsExactly(0, 4, 6);
    assertThat(tail.scores()).containsExactly(1.5, 5.5, 7.5);
    AnomalyMaps.WindowScores shortSeries =
        AnomalyMaps.windowScores(new float[] {2, 4}, 8, 2, ScoreReduction.MEAN, 1);
    assertThat(shortSeries.starts()).containsExactly(0);
    assertThat(shortSeries.scores()).containsExactly(3.0);
  }

  @Test
  void mismatchedSizesAreRefused() {
    assertThatThrownBy(() -> AnomalyMaps.error(new float[4], new float[3], 1, 2, 2, MapKind.L1,
        NO_MIX)).hasMessageContaining("2x2");
  }
}
