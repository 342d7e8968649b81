package ai.diffad.evaluation.metrics;

/**
 * Average precision, step-wise as sklearn's {@code average_precision_score}:
 * AP = sum over thresholds of (R_k − R_{k−1}) · P_k, no interpolation.
 */
public final class AveragePrecision {
  private AveragePrecision() {}

  /** AP of double scores, label true = positive. */
  public static double of(double[] scores, boolean[] labels) {
    return BinaryCurve.of(scores, labels).averagePrecision();
  }

  /** AP of float scores (pixels). */
  public static double of(float[] scores, boolean[] labels) {
    return BinaryCurve.of(scores, labels).averagePrecision();
  }
}
