package ai.diffad.evaluation.report;

import ai.diffad.evaluation.metrics.BinaryCurve;

/**
 * One method's image scores with their labels, as the metrics take them.
 *
 * @param scores one score per item, higher = more anomalous, no NaN
 * @param labels one label per item, true = anomalous
 */
public record ScoredSet(double[] scores, boolean[] labels) {
  /** Checks that both arrays have the same length. */
  public ScoredSet {
    if (scores.length != labels.length) {
      throw new IllegalArgumentException(
          "scores has " + scores.length + " entries but labels has " + labels.length);
    }
  }

  /** A set from the scores of normal items followed by those of anomalous items. */
  public static ScoredSet of(double[] normal, double[] anomalous) {
    double[] s = new double[normal.length + anomalous.length];
    boolean[] y = new boolean[s.length];
    System.arraycopy(normal, 0, s, 0, normal.length);
    System.arraycopy(anomalous, 0, s, normal.length, anomalous.length);
    for (int i = normal.length; i < s.length; i++) {
      y[i] = true;
    }
    return new ScoredSet(s, y);
  }

  /** AUROC, AP and F1-max of this ranking (via {@link BinaryCurve}). */
  public BinaryCurve.Summary summary() {
    return BinaryCurve.of(scores, labels);
  }

  /** The scores of the normal items (label false), in order. */
  public double[] normalScores() {
    return select(false);
  }

  /** The scores of the anomalous items (label true), in order. */
  public double[] anomalousScores() {
    return select(true);
  }

  private double[] select(boolean label) {
    int n = 0;
    for (boolean b : labels) {
      if (b == label) {
        n++;
      }
    }
    double[] out = new double[n];
    int j = 0;
    for (int i = 0; i < scores.length; i++) {
      if (labels[i] == label) {
        out[j++] = scores[i];
      }
    }
    return out;
  }
}
