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
    double[] pn = totals(scores, labels, weights);
    CurveAccumulator acc = new CurveAccumulator(pn[0], pn[1]);
    walkGroups(scores, labels, weights, acc::add);
    return acc.summary();
  }

  /**
   * The points of the ROC and precision-recall curves of one ranking: one per distinct score, from
   * the highest down — the thresholds {@link #of(double[], boolean[])} walks, so the area under
   * {@code (fpr, tpr)} joined by straight lines is its AUROC (ties are diagonal segments) and
   * {@code sum (recall[k] - recall[k-1]) * precision[k]} is its average precision.
   *
   * @param thresholds the distinct scores, descending; an item is flagged when its score is {@code
   *     >=} the threshold
   * @param truePositives positives flagged at each threshold (cumulative)
   * @param falsePositives negatives flagged at each threshold (cumulative)
   * @param positives total positives
   * @param negatives total negatives
   */
  public record Points(double[] thresholds, double[] truePositives, double[] falsePositives,
      double positives, double negatives) {
    /** Number of thresholds. */
    public int size() {
      return thresholds.length;
    }

    /** False-positive rates with a leading 0 (nothing flagged): {@code size() + 1} values. */
    public double[] fpr() {
      return rates(falsePositives, negatives);
    }

    /** True-positive rates with a leading 0 (nothing flagged): {@code size() + 1} values. */
    public double[] tpr() {
      return rates(truePositives, positives);
    }

    /** Recall at each threshold ({@code size()} values). */
    public double[] recall() {
      double[] r = new double[size()];
      for (int k = 0; k < r.length; k++) {
        r[k] = truePositives[k] / positives;
      }
      return r;
    }

    /** Precision at each threshold ({@code size()} values). */
    public double[] precision() {
      double[] p = new double[size()];
      for (int k = 0; k < p.length; k++) {
        double flagged = truePositives[k] + falsePositives[k];
        p[k] = truePositives[k] / flagged;
      }
      return p;
    }

    private static double[] rates(double[] counts, double total) {
      double[] r = new double[counts.length + 1];
      for (int k = 0; k < counts.length; k++) {
        r[k + 1] = counts[k] / total;
      }
      return r;
    }
  }

  /** The curve points of double scores (image level, series); labels true = anomalous. */
  public static Points points(double[] scores, boolean[] labels) {
    double[] pn = totals(scores, labels, null);
    double[] t = new double[scores.length];
    double[] tp = new double[scores.length];
    double[] fp = new double[scores.length];
    double[] cum = new double[2];
    int[] k = new int[1];
    walkGroups(scores, labels, null, (threshold, dp, dn) -> {
      cum[0] += dp;
      cum[1] += dn;
      t[k[0]] = threshold;
      tp[k[0]] = cum[0];
      fp[k[0]] = cum[1];
      k[0]++;
    });
    int distinct = k[0];
    return new Points(Arrays.copyOf(t, distinct), Arrays.copyOf(tp, distinct),
        Arrays.copyOf(fp, distinct), pn[0], pn[1]);
  }

  /** Receives the groups of equal score from the highest down. */
  private interface GroupSink {
    void add(double threshold, double dp, double dn);
  }

  /** Total positive and negative weight; rejects NaN scores and a missing class. */
  private static double[] totals(double[] scores, boolean[] labels, double[] weights) {
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
    return new double[] {p, n};
  }

  private static void walkGroups(double[] scores, boolean[] labels, double[] weights,
      GroupSink sink) {
    int[] order = Sorting.argsortDescending(scores);
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
      sink.add(t, dp, dn);
    }
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
