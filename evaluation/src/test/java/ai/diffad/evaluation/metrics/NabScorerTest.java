package ai.diffad.evaluation.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A series of 100 rows with one window [60, 69] (width 10). Probation: floor(0.15*100) = 15 rows.
 * Hand values with scaledSigmoid(x) = 2/(1+e^{5x}) - 1 = -tanh(2.5x):
 * scaledSigmoid(-1) = 0.98661430, scaledSigmoid(-0.5) = 0.84828364,
 * scaledSigmoid(6/9) = -0.93110961.
 */
class NabScorerTest {
  private static final int N = 100;
  private static final List<IndexWindow> WINDOW = List.of(new IndexWindow(60, 69));
  private final NabScorer nab = NabScorer.standard();

  private static boolean[] detectAt(int... rows) {
    boolean[] d = new boolean[N];
    for (int r : rows) {
      d[r] = true;
    }
    return d;
  }

  @Test
  void scaledSigmoidMatchesNab() {
    assertThat(NabScorer.scaledSigmoid(-1.0)).isCloseTo(0.9866142981514305, within(1e-12));
    assertThat(NabScorer.scaledSigmoid(-0.5)).isCloseTo(0.8482836399575131, within(1e-12));
    assertThat(NabScorer.scaledSigmoid(0.0)).isEqualTo(0.0);
    assertThat(NabScorer.scaledSigmoid(3.0)).isEqualTo(-1.0);
  }

  @Test
  void detectionAtWindowStartScoresTheFullTpWeightAndNormalisesTo100() {
    // position -(69-60+1)/10 = -1 -> scaledSigmoid(-1)/scaledSigmoid(-1) * 1.0 = 1.
    NabScorer.SeriesScore s = nab.score(detectAt(60), WINDOW);
    assertThat(s.raw()).isCloseTo(1.0, within(1e-12));
    assertThat(s.detectedWindows()).isEqualTo(1);
    assertThat(nab.normalised(List.of(s))).isCloseTo(100.0, within(1e-9));
  }

  @Test
  void detectionInTheMiddleScoresTheSigmoidOfItsPosition() {
    // row 65: position -(69-65+1)/10 = -0.5 -> 0.84828364/0.98661430 = 0.85979257;
    // normalised 100*(0.85979257 - (-1))/(1 - (-1)) = 92.98962835.
    NabScorer.SeriesScore s = nab.score(detectAt(65), WINDOW);
    assertThat(s.raw()).isCloseTo(0.8597925669097837, within(1e-12));
    assertThat(nab.normalised(List.of(s))).isCloseTo(92.98962834548918, within(1e-9));
  }

  @Test
  void onlyTheFirstDetectionInAWindowCounts() {
    NabScorer.SeriesScore s = nab.score(detectAt(60, 65, 69), WINDOW);
    assertThat(s.raw()).isCloseTo(1.0, within(1e-12));
    assertThat(s.falsePositives()).isZero();
  }

  @Test
  void detectionAfterTheWindowIsAMissPlusAWeightedFalsePositive() {
    // Window missed: -1. Row 75: |69-75|/(10-1) = 2/3 -> -0.93110961 * 0.11 = -0.10242206.
    // raw = -1.10242206; normalised 100*(-0.10242206)/2 = -5.12110285.
    NabScorer.SeriesScore s = nab.score(detectAt(75), WINDOW);
    assertThat(s.raw()).isCloseTo(-1.1024220569534335, within(1e-12));
    assertThat(s.missedWindows()).isEqualTo(1);
    assertThat(s.falsePositives()).isEqualTo(1);
    assertThat(nab.normalised(List.of(s))).isCloseTo(-5.121102847671677, within(1e-9));
  }

  @Test
  void noDetectionScoresLikeTheNullDetector() {
    NabScorer.SeriesScore s = nab.score(new boolean[N], WINDOW);
    assertThat(s.raw()).isEqualTo(-1.0);
    assertThat(nab.normalised(List.of(s))).isEqualTo(0.0);
  }

  @Test
  void falsePositiveBeforeAnyWindowCostsTheFullFpWeightAndProbationIsIgnored() {
    // Row 5 is probationary (< 15): ignored. Row 20 precedes the window: -1 * 0.11.
    NabScorer.SeriesScore s = nab.score(detectAt(5, 20, 60), WINDOW);
    assertThat(s.raw()).isCloseTo(1.0 - 0.11, within(1e-12));
    assertThat(s.falsePositives()).isEqualTo(1);
  }

  @Test
  void thresholdFlagsScoresAtOrAboveIt() {
    double[] scores = new double[N];
    scores[60] = 0.7;
    scores[75] = 0.5;
    assertThat(nab.score(scores, 0.7, WINDOW).raw()).isCloseTo(1.0, within(1e-12));
    assertThat(nab.score(scores, 0.5, WINDOW).raw())
        .isCloseTo(1.0 + 0.11 * NabScorer.scaledSigmoid(6.0 / 9.0), within(1e-12));
  }

  @Test
  void corpusNormalisationSumsRawNullAndPerfectOverSeries() {
    // Series A: hit at start (+1); series B: missed (-1). raw 0, null -2, perfect 2 -> 50.
    NabScorer.SeriesScore a = nab.score(detectAt(60), WINDOW);
    NabScorer.SeriesScore b = nab.score(new boolean[N], WINDOW);
    assertThat(nab.normalised(List.of(a, b))).isCloseTo(50.0, within(1e-9));
  }

  @Test
  void probationaryLengthIsCappedAt750Rows() {
    assertThat(nab.probationaryLength(100)).isEqualTo(15.0);
    assertThat(nab.probationaryLength(10_000)).isEqualTo(750.0);
  }

  @Test
  void overlappingWindowsAreRefused() {
    assertThatThrownBy(() -> nab.score(new boolean[N],
        List.of(new IndexWindow(10, 20), new IndexWindow(20, 30))))
        .hasMessageContaining("overlap");
  }

  @Test
  void optimiserFindsTheBestCorpusThreshold() {
    // Row 75: 0.95, row 60: 0.9, row 30: 0.5, others 0.
    // t=+inf: -1; t=.95: -1 - 0.10242206 = -1.10242206; t=.9: +1 - 0.10242206 = 0.89757794 (best);
    // t=.5: adds row 30 before the window, -0.11 -> 0.78757794; t=0: every row flagged, worse.
    double[] scores = new double[N];
    scores[75] = 0.95;
    scores[60] = 0.9;
    scores[30] = 0.5;
    NabScorer.Optimum o =
        nab.optimiseThreshold(List.of(new NabScorer.ScoredSeries(scores, WINDOW)));
    assertThat(o.threshold()).isEqualTo(0.9);
    assertThat(o.raw()).isCloseTo(1.0 + 0.11 * NabScorer.scaledSigmoid(6.0 / 9.0), within(1e-12));
    assertThat(o.raw()).isCloseTo(nab.score(scores, 0.9, WINDOW).raw(), within(1e-12));
    assertThat(o.normalised()).isCloseTo(100 * (o.raw() + 1) / 2, within(1e-9));
  }

  @Test
  void optimiserAgreesWithScoringAtEveryThresholdOnARandomCorpus() {
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
    List<NabScorer.ScoredSeries> corpus = new java.util.ArrayList<>();
    List<IndexWindow> w2 = List.of(new IndexWindow(30, 39), new IndexWindow(70, 74));
    for (int c = 0; c < 3; c++) {
      double[] s = new double[N];
      for (int i = 0; i < N; i++) {
        s[i] = Math.round(rnd.nextDouble() * 50) / 50.0;
      }
      corpus.add(new NabScorer.ScoredSeries(s, c == 1 ? WINDOW : w2));
    }
    NabScorer.Optimum o = nab.optimiseThreshold(corpus);
    double best = Double.NEGATIVE_INFINITY;
    for (int k = 0; k <= 51; k++) {
      double t = k / 50.0;
      double raw = 0;
      for (NabScorer.ScoredSeries s : corpus) {
        raw += nab.score(s.scores(), t, s.windows()).raw();
      }
      best = Math.max(best, raw);
    }
    assertThat(o.raw()).isCloseTo(best, within(1e-9));
  }
}
