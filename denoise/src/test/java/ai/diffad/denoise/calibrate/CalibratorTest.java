package ai.diffad.denoise.calibrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.diffad.config.EngineConfig;
import ai.diffad.config.ThresholdMethod;
import org.junit.jupiter.api.Test;

class CalibratorTest {
  private static final ScoreSettings SETTINGS = ScoreSettings.of(EngineConfig.defaults());

  private static double[] oneToHundred() {
    double[] s = new double[100];
    for (int i = 0; i < 100; i++) {
      s[i] = 100 - i; // unsorted on purpose
    }
    return s;
  }

  /** h = (100 - 1) * 0.99 = 98.01: s[98] + 0.01 (s[99] - s[98]) = 99 + 0.01. */
  @Test
  void quantile99OfOneToHundredIs99Point01() {
    Calibration cal = Calibrator.fromNormalScores(oneToHundred(), 0.99, SETTINGS);
    assertThat(cal.method()).isEqualTo(ThresholdMethod.QUANTILE);
    assertThat(cal.quantile()).isEqualTo(0.99);
    assertThat(cal.threshold()).isCloseTo(99.01, within(1e-9));
    assertThat(cal.normalization().min()).isEqualTo(1.0);
    assertThat(cal.normalization().max()).isEqualTo(100.0);
    assertThat(cal.normalScores()).isEqualTo(new Calibration.Summary(100, 1, 50.5, 100));
    assertThat(cal.anomalousCount()).isZero();
    assertThat(cal.f1()).isNull();
    assertThat(cal.settings()).isEqualTo(SETTINGS);
  }

  @Test
  void quantileEndsAreTheExtremesAndTheMedianInterpolates() {
    assertThat(Calibrator.fromNormalScores(oneToHundred(), 1.0, SETTINGS).threshold())
        .isEqualTo(100.0);
    assertThat(Calibrator.fromNormalScores(oneToHundred(), 0.0, SETTINGS).threshold())
        .isEqualTo(1.0);
    assertThat(Calibrator.fromNormalScores(new double[] {3, 1, 2, 10}, 0.5, SETTINGS).threshold())
        .isCloseTo(2.5, within(1e-12));
    assertThat(Calibrator.fromNormalScores(new double[] {7}, 0.99, SETTINGS).threshold())
        .isEqualTo(7.0);
  }

  /**
   * Scores 0.1..0.6 with labels N N A N A A; anomalous when score >= thr:
   * thr 0.1: TP 3 FP 3 -> F1 6/9; 0.2: TP 3 FP 2 -> 6/8; 0.3: TP 3 FP 1 -> 6/7;
   * 0.4: TP 2 FP 1 FN 1 -> 4/6; 0.5: TP 2 FN 1 -> 4/5; 0.6: TP 1 FN 2 -> 2/4. Best: 0.3, 6/7.
   */
  @Test
  void f1ThresholdOnAHandComputedSetIsPoint3WithF1SixSevenths() {
    double[] scores = {0.5, 0.1, 0.3, 0.6, 0.2, 0.4};
    boolean[] anomalous = {true, false, true, true, false, false};
    Calibration cal = Calibrator.fromLabelled(scores, anomalous, SETTINGS);
    assertThat(cal.method()).isEqualTo(ThresholdMethod.F1);
    assertThat(cal.threshold()).isEqualTo(0.3);
    assertThat(cal.f1()).isCloseTo(6.0 / 7.0, within(1e-12));
    assertThat(cal.quantile()).isNull();
    assertThat(cal.anomalousCount()).isEqualTo(3);
    assertThat(cal.normalScores().count()).isEqualTo(3);
    assertThat(cal.normalScores().median()).isEqualTo(0.2);
    assertThat(cal.normalization().min()).isEqualTo(0.1);
    assertThat(cal.normalization().max()).isEqualTo(0.6);
  }

  /** Scores 1..4 labelled A N N A: thr 1 -> F1 4/6, thr 2 -> 2/5, thr 3 -> 2/4, thr 4 -> 2/3. */
  @Test
  void equallyGoodF1ThresholdsResolveToTheLowest() {
    Calibration cal = Calibrator.fromLabelled(
        new double[] {1, 2, 3, 4}, new boolean[] {true, false, false, true}, SETTINGS);
    assertThat(cal.f1()).isCloseTo(2.0 / 3.0, within(1e-12));
    assertThat(cal.threshold()).isEqualTo(1.0);
  }

  @Test
  void f1WithTiedScoresCountsThemTogether() {
    // thr 1: TP 2 FP 2 -> 4/6; thr 2 (both 2s anomalous, one normal): TP 2 FP 1 -> 4/5.
    Calibration cal = Calibrator.fromLabelled(
        new double[] {1, 2, 2, 2}, new boolean[] {false, true, true, false}, SETTINGS);
    assertThat(cal.threshold()).isEqualTo(2.0);
    assertThat(cal.f1()).isCloseTo(0.8, within(1e-12));
  }

  @Test
  void f1NeedsBothClassesAndMatchingLabels() {
    assertThatThrownBy(() -> Calibrator.fromLabelled(
            new double[] {1, 2}, new boolean[] {false, false}, SETTINGS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("both normal and anomalous")
        .hasMessageContaining("0 anomalous");
    assertThatThrownBy(() -> Calibrator.fromLabelled(
            new double[] {1, 2}, new boolean[] {true}, SETTINGS))
        .hasMessageContaining("2 scores, 1 labels");
  }

  @Test
  void nonFiniteOrEmptyScoresAndBadQuantilesAreRefused() {
    assertThatThrownBy(() -> Calibrator.fromNormalScores(new double[] {1, Double.NaN}, 0.99,
            SETTINGS))
        .hasMessageContaining("normalScores[1] is not finite");
    assertThatThrownBy(() -> Calibrator.fromNormalScores(new double[0], 0.99, SETTINGS))
        .hasMessageContaining("must not be empty");
    assertThatThrownBy(() -> Calibrator.fromNormalScores(new double[] {1}, 1.5, SETTINGS))
        .hasMessageContaining("quantile must be in [0, 1], got 1.5");
  }

  /** Threshold 99.01, range 100 - 1 = 99: normalized = (s - 99.01) / 99 + 0.5, clipped. */
  @Test
  void normalisationMapsTheThresholdToHalfAndClips() {
    Calibration cal = Calibrator.fromNormalScores(oneToHundred(), 0.99, SETTINGS);
    assertThat(cal.normalize(99.01)).isCloseTo(0.5, within(1e-12));
    assertThat(cal.normalize(100.0)).isCloseTo(0.5 + 0.99 / 99, within(1e-12));
    assertThat(cal.normalize(60.0)).isCloseTo((60 - 99.01) / 99 + 0.5, within(1e-12));
    assertThat(cal.normalize(1.0)).isEqualTo(0.0); // (1 - 99.01) / 99 + 0.5 = -0.49
    assertThat(cal.normalize(1000.0)).isEqualTo(1.0);
    assertThat(cal.normalize(-5.0)).isEqualTo(0.0);
    assertThat(cal.isAnomalous(99.01)).isTrue();
    assertThat(cal.isAnomalous(99.0)).isFalse();
  }

  @Test
  void degenerateCalibrationRangeNormalisesToZeroHalfOrOne() {
    Calibration cal = Calibrator.fromNormalScores(new double[] {2, 2, 2}, 0.99, SETTINGS);
    assertThat(cal.threshold()).isEqualTo(2.0);
    assertThat(cal.normalize(1.9)).isEqualTo(0.0);
    assertThat(cal.normalize(2.0)).isEqualTo(0.5);
    assertThat(cal.normalize(2.1)).isEqualTo(1.0);
  }
}
