package ai.diffad.evaluation.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BinaryCurveTest {
  private static final boolean T = true;
  private static final boolean F = false;

  @Test
  void sklearnExampleGivesHandComputedAurocApAndF1() {
    // scores 0.1 0.4 0.35 0.8, labels F F T T (sklearn's docstring example).
    // AUROC: pairs (0.35>0.1) (0.35<0.4) (0.8>0.1) (0.8>0.4) -> 3/4.
    // AP: t=0.8: R=1/2, P=1 -> 0.5; t=0.35: R=1, P=2/3 -> +1/2*2/3 -> 0.8333.
    // F1 = 2TP/(TP+FP+P): t=0.8 2/3, t=0.4 2/4, t=0.35 4/5 (best), t=0.1 4/6.
    double[] s = {0.1, 0.4, 0.35, 0.8};
    boolean[] y = {F, F, T, T};
    BinaryCurve.Summary r = BinaryCurve.of(s, y);
    assertThat(r.auroc()).isCloseTo(0.75, within(1e-12));
    assertThat(r.averagePrecision()).isCloseTo(5.0 / 6.0, within(1e-12));
    assertThat(r.f1Max()).isCloseTo(0.8, within(1e-12));
    assertThat(r.f1MaxThreshold()).isEqualTo(0.35);
    assertThat(Auroc.image(s, y)).isCloseTo(0.75, within(1e-12));
    assertThat(AveragePrecision.of(s, y)).isCloseTo(5.0 / 6.0, within(1e-12));
    assertThat(F1Max.of(s, y)).isCloseTo(0.8, within(1e-12));
  }

  @Test
  void tiedPositiveAndNegativeCountHalfAsInMannWhitney() {
    // pos {1, 0} vs neg {1, 0}: (1~1) .5, (1>0) 1, (0<1) 0, (0~0) .5 -> 2/4.
    assertThat(Auroc.image(new double[] {1, 1, 0, 0}, new boolean[] {T, F, T, F}))
        .isCloseTo(0.5, within(1e-12));
    // pos {0.5} vs neg {0.5, 0.5, 0.2}: .5 + .5 + 1 -> 2/3, same on the float path.
    assertThat(Auroc.image(new double[] {0.5, 0.5, 0.5, 0.2}, new boolean[] {T, F, F, F}))
        .isCloseTo(2.0 / 3.0, within(1e-12));
    assertThat(Auroc.pixels(new float[] {0.5f, 0.5f, 0.5f, 0.2f}, new boolean[] {T, F, F, F}))
        .isCloseTo(2.0 / 3.0, within(1e-12));
  }

  @Test
  void tiedScoresAreOneThresholdForAveragePrecision() {
    // scores 1 1 0, labels T F T: t=1: R=1/2, P=1/2 -> 1/4; t=0: R=1, P=2/3 -> +1/3 = 7/12.
    double[] s = {1, 1, 0};
    boolean[] y = {T, F, T};
    assertThat(AveragePrecision.of(s, y)).isCloseTo(7.0 / 12.0, within(1e-12));
    assertThat(AveragePrecision.of(new float[] {1, 1, 0}, y)).isCloseTo(7.0 / 12.0, within(1e-12));
  }

  @Test
  void floatAndDoublePathsAgreeWithBruteForceMannWhitneyOnTiedRandomData() {
    SplittableRandom rnd = new SplittableRandom(7);
    int n = 3000;
    float[] fs = new float[n];
    double[] ds = new double[n];
    boolean[] y = new boolean[n];
    for (int i = 0; i < n; i++) {
      y[i] = rnd.nextDouble() < 0.2;
      fs[i] = Math.round((rnd.nextDouble() + (y[i] ? 0.4 : 0)) * 20) / 20f; // many ties
      ds[i] = fs[i];
    }
    double u = 0;
    long pairs = 0;
    for (int i = 0; i < n; i++) {
      if (!y[i]) {
        continue;
      }
      for (int j = 0; j < n; j++) {
        if (y[j]) {
          continue;
        }
        pairs++;
        u += fs[i] > fs[j] ? 1 : fs[i] == fs[j] ? 0.5 : 0;
      }
    }
    double expected = u / pairs;
    BinaryCurve.Summary f = BinaryCurve.of(fs, y);
    BinaryCurve.Summary d = BinaryCurve.of(ds, y);
    assertThat(f.auroc()).isCloseTo(expected, within(1e-12));
    assertThat(d.auroc()).isCloseTo(expected, within(1e-12));
    assertThat(f.averagePrecision()).isCloseTo(d.averagePrecision(), within(1e-12));
    assertThat(f.f1Max()).isCloseTo(d.f1Max(), within(1e-12));
  }

  @Test
  void perfectAndInvertedRankingsGiveOneAndZero() {
    boolean[] y = {F, F, T, T};
    assertThat(Auroc.pixels(new float[] {0, 1, 2, 3}, y)).isEqualTo(1.0);
    assertThat(Auroc.pixels(new float[] {3, 2, 1, 0}, y)).isEqualTo(0.0);
    assertThat(AveragePrecision.of(new float[] {0, 1, 2, 3}, y)).isEqualTo(1.0);
  }

  @Test
  void singleClassIsRefusedWithAReason() {
    assertThatThrownBy(() -> Auroc.image(new double[] {1, 2}, new boolean[] {F, F}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one positive and one negative");
    assertThatThrownBy(() -> Auroc.pixels(new float[] {1}, new boolean[] {F, T}))
        .hasMessageContaining("scores has 1 entries but labels has 2");
    assertThatThrownBy(() -> Auroc.image(new double[] {Double.NaN, 1}, new boolean[] {T, F}))
        .hasMessageContaining("NaN");
  }

  @Test
  void weightedItemsCountTheirWeight() {
    // One positive of weight 3 at 0.9, negatives (weight 1) at 0.95 and 0.1.
    // t=0.95: TP 0 FP 1; t=0.9: TP 3 FP 1 -> F1 = 6/(3+1+3) = 6/7.
    // AUROC: the positive beats 1 of 2 negatives -> 0.5.
    BinaryCurve.Summary s = BinaryCurve.weighted(new double[] {0.9, 0.95, 0.1},
        new boolean[] {T, F, F}, new double[] {3, 1, 1});
    assertThat(s.f1Max()).isCloseTo(6.0 / 7.0, within(1e-12));
    assertThat(s.auroc()).isCloseTo(0.5, within(1e-12));
    assertThat(s.positives()).isEqualTo(3.0);
  }
}
