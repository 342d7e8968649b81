package ai.diffad.evaluation.metrics;

/**
 * Walks the groups of equal score from the highest down and accumulates the ROC area, the
 * step-wise average precision and the best F1 in one pass. Every metric is exact with ties: a
 * group of tied scores is one threshold, so on the ROC curve it is a diagonal segment (a tied
 * positive/negative pair counts 0.5, as in the Mann–Whitney U statistic).
 */
final class CurveAccumulator {
  private final double positives;
  private final double negatives;
  private double tp;
  private double fp;
  private double rocArea;
  private double ap;
  private double bestF1 = 0.0;
  private double bestF1Threshold = Double.POSITIVE_INFINITY;

  CurveAccumulator(double positives, double negatives) {
    this.positives = positives;
    this.negatives = negatives;
  }

  /** Adds the items scored exactly {@code threshold}: weights {@code dp}, {@code dn}. */
  void add(double threshold, double dp, double dn) {
    double tpBefore = tp;
    tp += dp;
    fp += dn;
    rocArea += dn * (tpBefore + tp) / 2.0;
    if (dp > 0) {
      // sklearn's average_precision_score: sum over thresholds of (R_k - R_{k-1}) * P_k.
      ap += (dp / positives) * (tp / (tp + fp));
    }
    // F1 = 2TP / (2TP + FP + FN) = 2TP / (TP + FP + P).
    double f1 = tp > 0 ? 2.0 * tp / (tp + fp + positives) : 0.0;
    if (f1 > bestF1) {
      bestF1 = f1;
      bestF1Threshold = threshold;
    }
  }

  BinaryCurve.Summary summary() {
    return new BinaryCurve.Summary(rocArea / (positives * negatives), ap, bestF1, bestF1Threshold,
        positives, negatives);
  }
}
