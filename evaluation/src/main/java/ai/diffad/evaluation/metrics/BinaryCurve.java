package ai.diffad.evaluation.metrics;

import java.util.Arrays;

/**
 * Threshold-free binary metrics (ROC AUC, average precision, best F1) from scores and labels,
 * where a higher score means "more anomalous". All are exact: every distinct score is a
 * threshold, and an item is flagged when its score is {@code >=} the threshold.
 *
 * <p>The float path is built for pixel counts in the tens of millions: positives and negatives are
 * copied into two primitive arrays, sorted ({@link Arrays#parallelSort(float[])}) and merged from
 * the top — no boxing, no index arrays.
 */
public final class BinaryCurve {
  private BinaryCurve() {}

  /**
   * The metrics of one ranking.
   *
   * @param auroc area under the ROC curve, ties counted 0.5
   * @param averagePrecision step-wise AP as sklearn's {@code average_precision_score}
   * @param f1Max the best F1 over all thresholds
   * @param f1MaxThreshold the score threshold ({@code >=}) reaching {@link #f1Max}
   * @param positives total positive weight (count when unweighted)
   * @param negatives total negative weight (count when unweighted)
   */
  public record Summary(double auroc, double averagePrecision, double f1Max,
      double f1MaxThreshold, double positives, double negatives) {}

  /** Metrics of double scores (image level, series); labels true = anomalous. */
  public static Summary of(double[] scores, boolean[] labels) {
    return weighted(scores, labels, null);
  }

  /**
   * Metrics where each item carries a weight (used by the point-adjusted F1, where a labelled
   * segment is one item weighing its length). {@code weights} null means all 1.
   */
  public static Summary weighted(double[] scores, boolean[] labels, double[] weights) {
    check(scores.length, labels.length);
    if (weights != null && weights.length != scores.length) {
      throw new IllegalArgumentException(
          "weights has " + weights.length + " entries, scores " + scores.length);
    }
    double p = 0;
    double n = 0;
    for (int i = 0; i < scores.length; i++) {
      if (Double.isNaN(scores[i])) {
        throw new IllegalArgumentException("score " + i + " is NaN");
      }
      double w = weights == null ? 1.0 : weights[i];
      if (labels[i]) {
        p += w;
      } else {
        n += w;
      }
    }
    requireBothClasses(p, n);
    int[] order = Sorting.argsortDescending(scores);
    CurveAccumulator acc = new CurveAccumulator(p, n);
    int i = 0;
    while (i < order.length) {
      double t = scores[order[i]];
      double dp = 0;
      double dn = 0;
      while (i < order.length && scores[order[i]] == t) {
        int k = order[i++];
        double w = weights == null ? 1.0 : weights[k];
        if (labels[k]) {
          dp += w;
        } else {
          dn += w;
        }
      }
      acc.add(t, dp, dn);
    }
    return acc.summary();
  }

  /** Metrics of float scores (pixels); fast and exact for tens of millions of values. */
  public static Summary of(float[] scores, boolean[] labels) {
    check(scores.length, labels.length);
    int p = 0;
    for (int i = 0; i < labels.length; i++) {
      if (Float.isNaN(scores[i])) {
        throw new IllegalArgumentException("score " + i + " is NaN");
      }
      if (labels[i]) {
        p++;
      }
    }
    int n = scores.length - p;
    requireBothClasses(p, n);
    float[] pos = new float[p];
    float[] neg = new float[n];
    int ip = 0;
    int in = 0;
    for (int i = 0; i < scores.length; i++) {
      if (labels[i]) {
        pos[ip++] = scores[i];
      } else {
        neg[in++] = scores[i];
      }
    }
    return ofSorted(sort(pos), sort(neg));
  }

  /** Metrics from already separated positive and negative scores (arrays are sorted in place). */
  public static Summary ofSplit(float[] positiveScores, float[] negativeScores) {
    requireBothClasses(positiveScores.length, negativeScores.length);
    return ofSorted(sort(positiveScores), sort(negativeScores));
  }

  private static Summary ofSorted(float[] pos, float[] neg) {
    CurveAccumulator acc = new CurveAccumulator(pos.length, neg.length);
    int ip = pos.length - 1;
    int in = neg.length - 1;
    while (ip >= 0 || in >= 0) {
      float t;
      if (ip < 0) {
        t = neg[in];
      } else if (in < 0) {
        t = pos[ip];
      } else {
        t = Math.max(pos[ip], neg[in]);
      }
      int dp = 0;
      while (ip >= 0 && pos[ip] == t) {
        ip--;
        dp++;
      }
      int dn = 0;
      while (in >= 0 && neg[in] == t) {
        in--;
        dn++;
      }
      acc.add(t, dp, dn);
    }
    return acc.summary();
  }

  static float[] sort(float[] a) {
    if (a.length > 1 << 16) {
      Arrays.parallelSort(a);
    } else {
      Arrays.sort(a);
    }
    return a;
  }

  private static void check(int scores, int labels) {
    if (scores != labels) {
      throw new IllegalArgumentException(
          "scores has " + scores + " entries but labels has " + labels);
    }
  }

  private static void requireBothClasses(double p, double n) {
    if (p <= 0 || n <= 0) {
      throw new IllegalArgumentException("needs at least one positive and one negative, got "
          + p + " positive and " + n + " negative");
    }
  }
}
