package ai.diffad.evaluation.metrics;

/**
 * Confusion counts of binary predictions, with the rates SKAB reports.
 *
 * @param tp flagged and anomalous
 * @param fp flagged and normal
 * @param fn not flagged and anomalous
 * @param tn not flagged and normal
 */
public record BinaryCounts(long tp, long fp, long fn, long tn) {
  /** TP / (TP + FP), 0 when nothing is flagged. */
  public double precision() {
    return tp + fp == 0 ? 0.0 : (double) tp / (tp + fp);
  }

  /** TP / (TP + FN), 0 when there are no positives. */
  public double recall() {
    return tp + fn == 0 ? 0.0 : (double) tp / (tp + fn);
  }

  /** 2TP / (2TP + FP + FN), 0 when that is 0/0. */
  public double f1() {
    long d = 2 * tp + fp + fn;
    return d == 0 ? 0.0 : 2.0 * tp / d;
  }

  /** False alarm rate FP / (FP + TN), as a fraction (SKAB prints it in percent). */
  public double falseAlarmRate() {
    return fp + tn == 0 ? 0.0 : (double) fp / (fp + tn);
  }

  /** Missed alarm rate FN / (FN + TP), as a fraction (SKAB prints it in percent). */
  public double missedAlarmRate() {
    return fn + tp == 0 ? 0.0 : (double) fn / (fn + tp);
  }

  /** Element-wise sum, for concatenating series (SKAB scores all test parts together). */
  public BinaryCounts plus(BinaryCounts o) {
    return new BinaryCounts(tp + o.tp, fp + o.fp, fn + o.fn, tn + o.tn);
  }
}
