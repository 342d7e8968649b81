package ai.diffad.evaluation.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class SeriesMetricsTest {
  private static final boolean T = true;
  private static final boolean F = false;
  //                     idx   0  1  2  3  4  5  6  7  8
  private static final boolean[] LABELS = {F, T, T, T, F, F, T, T, F};
  private static final boolean[] PRED = {F, F, T, F, T, F, F, F, F};
  private static final double[] SCORES = {0.1, 0.2, 0.9, 0.3, 0.8, 0.05, 0.4, 0.1, 0.5};

  @Test
  void binaryCountsGiveSkabRates() {
    // TP idx2; FP idx4; FN idx1,3,6,7; TN idx0,5,8.
    BinaryCounts c = SeriesMetrics.count(PRED, LABELS);
    assertThat(c).isEqualTo(new BinaryCounts(1, 1, 4, 3));
    assertThat(c.f1()).isCloseTo(2.0 / 7.0, within(1e-12));
    assertThat(c.falseAlarmRate()).isCloseTo(0.25, within(1e-12));
    assertThat(c.missedAlarmRate()).isCloseTo(0.8, within(1e-12));
    assertThat(SeriesMetrics.atThreshold(SCORES, 0.8, LABELS)).isEqualTo(c);
  }

  @Test
  void pointAdjustmentFlagsOnlyTheSegmentThatWasHit() {
    // Segment [1,3] is hit at idx2 -> all flagged; segment [6,7] is not hit.
    assertThat(SeriesMetrics.pointAdjust(PRED, LABELS))
        .containsExactly(F, T, T, T, T, F, F, F, F);
    BinaryCounts c = SeriesMetrics.pointAdjusted(PRED, LABELS);
    assertThat(c).isEqualTo(new BinaryCounts(3, 1, 2, 3));
    assertThat(c.f1()).isCloseTo(6.0 / 9.0, within(1e-12));
    assertThat(SeriesMetrics.POINT_ADJUSTED).isEqualTo("point-adjusted");
  }

  @Test
  void pointwiseBestF1IsHandComputed() {
    // P = 5. Descending: .9P (1,0) 2/6; .8N (1,1) 2/7; .5N (1,2) 2/8; .4P (2,2) 4/9;
    // .3P (3,2) 6/10; .2P (4,2) 8/11; .1 P+N (5,3) 10/13 best; .05N (5,4) 10/14.
    assertThat(SeriesMetrics.pointwiseBestF1(SCORES, LABELS)).isCloseTo(10.0 / 13.0, within(1e-12));
  }

  @Test
  void pointAdjustedBestF1IsHandComputed() {
    // Segment maxima: [1,3] -> .9 (weight 3), [6,7] -> .4 (weight 2); normals .1 .8 .05 .5.
    // .9: TP3 FP0 6/8; .8: 6/9; .5: 6/10; .4: TP5 FP2 10/12 best; .1: 10/13; .05: 10/14.
    assertThat(SeriesMetrics.pointAdjustedBestF1(SCORES, LABELS))
        .isCloseTo(10.0 / 12.0, within(1e-12));
  }

  @Test
  void pointAdjustedBestF1OverSeveralSeriesKeepsEachSeriesSegmentsApart() {
    // A ends labelled, B starts labelled. Per series: normals .1 (A) .5 (B), segments .9 (A,
    // weight 1) and .3 (B, weight 1). .9: TP1 FP0 FN1 2/3; .5: TP1 FP1 FN1 2/4; .3: TP2 FP1 4/5
    // best; .1: 4/6. Joined end to end, the two segments would be one (.9, weight 2): F1 1.
    double[] a = {0.1, 0.9};
    double[] b = {0.3, 0.5};
    boolean[] la = {false, true};
    boolean[] lb = {true, false};
    assertThat(SeriesMetrics.pointAdjustedBestF1(List.of(a, b), List.of(la, lb)))
        .isCloseTo(4.0 / 5.0, within(1e-12));
    assertThat(SeriesMetrics.pointAdjustedBestF1(new double[] {0.1, 0.9, 0.3, 0.5},
        new boolean[] {false, true, true, false})).isCloseTo(1.0, within(1e-12));
  }

  @Test
  void segmentsAreMaximalRuns() {
    assertThat(SeriesMetrics.segments(LABELS))
        .containsExactly(new IndexWindow(1, 3), new IndexWindow(6, 7));
  }
}
