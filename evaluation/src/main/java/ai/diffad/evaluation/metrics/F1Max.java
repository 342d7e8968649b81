package ai.diffad.evaluation.metrics;

/**
 * The best F1 over all thresholds (anomalib's F1Max). The threshold is picked on the labels it
 * is scored on, so report it as an oracle number, never as a deployable threshold.
 */
public final class F1Max {
  private F1Max() {}

  /** Best F1 of double scores. */
  public static double of(double[] scores, boolean[] labels) {
    return BinaryCurve.of(scores, labels).f1Max();
  }

  /** Best F1 of float scores (pixels). */
  public static double of(float[] scores, boolean[] labels) {
    return BinaryCurve.of(scores, labels).f1Max();
  }
}
