package ai.diffad.denoise.calibrate;

import ai.diffad.config.ThresholdMethod;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * Learns a {@link Calibration} from scores made with one set of engine settings.
 *
 * <ul>
 *   <li>{@link #fromNormalScores}: the threshold is a quantile of the normal scores, with linear
 *       interpolation between order statistics (numpy's default {@code method="linear"},
 *       Hyndman &amp; Fan type 7): with the n scores sorted ascending, h = (n - 1) q and
 *       threshold = s[floor(h)] + (h - floor(h)) (s[floor(h) + 1] - s[floor(h)]). The 0.99
 *       quantile of 1..100 is 99.01.
 *   <li>{@link #fromLabelled}: the threshold maximising F1 over every distinct score value taken as
 *       threshold (anomalous when score &gt;= threshold), as anomalib's F1-adaptive threshold does;
 *       of equally good thresholds the lowest is taken (anomalib's argmax over ascending
 *       thresholds picks the first).
 * </ul>
 *
 * Normalisation min and max are those of all scores used (normal and, for F1, anomalous ones).
 */
public final class Calibrator {
  /** The default quantile of normal scores. */
  public static final double DEFAULT_QUANTILE = 0.99;

  private Calibrator() {}

  /**
   * A quantile threshold learned on normal scores only.
   *
   * @param normalScores scores of normal inputs, finite, at least one
   * @param quantile in [0, 1], typically {@value #DEFAULT_QUANTILE}
   * @param settings the engine settings the scores were made with
   * @return the calibration
   */
  public static Calibration fromNormalScores(
      double[] normalScores, double quantile, ScoreSettings settings) {
    Objects.requireNonNull(settings, "settings");
    double[] sorted = sortedFinite(normalScores, "normalScores");
    if (!(quantile >= 0 && quantile <= 1)) {
      throw new IllegalArgumentException("quantile must be in [0, 1], got " + quantile);
    }
    return new Calibration(
        Calibration.FORMAT_VERSION,
        ThresholdMethod.QUANTILE,
        quantile,
        quantileOfSorted(sorted, quantile),
        new Calibration.Normalization(sorted[0], sorted[sorted.length - 1]),
        summaryOfSorted(sorted),
        0,
        null,
        Instant.now().toString(),
        settings);
  }

  /**
   * The F1-optimal threshold on labelled validation scores.
   *
   * @param scores validation scores, finite
   * @param anomalous the label of each score; both classes must occur
   * @param settings the engine settings the scores were made with
   * @return the calibration
   */
  public static Calibration fromLabelled(
      double[] scores, boolean[] anomalous, ScoreSettings settings) {
    Objects.requireNonNull(settings, "settings");
    sortedFinite(scores, "scores");
    Objects.requireNonNull(anomalous, "anomalous");
    if (anomalous.length != scores.length) {
      throw new IllegalArgumentException("scores and labels differ in length: " + scores.length
          + " scores, " + anomalous.length + " labels");
    }
    int positives = 0;
    for (boolean a : anomalous) {
      positives += a ? 1 : 0;
    }
    int negatives = scores.length - positives;
    if (positives == 0 || negatives == 0) {
      throw new IllegalArgumentException("an F1 threshold needs both normal and anomalous scores, got "
          + negatives + " normal and " + positives + " anomalous");
    }
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
    // Sweep thresholds upward: at each distinct value v, predicted anomalous = scores >= v.
    int tpAbove = positives;
    int fpAbove = negatives;
    double bestF1 = -1;
    double bestThreshold = Double.NaN;
    int i = 0;
    while (i < order.length) {
      double v = scores[order[i]];
      double f1 = 2.0 * tpAbove / (2.0 * tpAbove + fpAbove + (positives - tpAbove));
      if (f1 > bestF1) {
        bestF1 = f1;
        bestThreshold = v;
      }
      while (i < order.length && scores[order[i]] == v) {
        if (anomalous[order[i]]) {
          tpAbove--;
        } else {
          fpAbove--;
        }
        i++;
      }
    }
    double[] normal = new double[negatives];
    double[] all = scores.clone();
    int k = 0;
    for (int j = 0; j < scores.length; j++) {
      if (!anomalous[j]) {
        normal[k++] = scores[j];
      }
    }
    Arrays.sort(normal);
    Arrays.sort(all);
    return new Calibration(
        Calibration.FORMAT_VERSION,
        ThresholdMethod.F1,
        null,
        bestThreshold,
        new Calibration.Normalization(all[0], all[all.length - 1]),
        summaryOfSorted(normal),
        positives,
        bestF1,
        Instant.now().toString(),
        settings);
  }

  /**
   * The q-quantile of {@code values} (any order, not changed) with linear interpolation (numpy's
   * default).
   *
   * @param values non-empty
   * @param q in [0, 1]
   */
  public static double quantile(double[] values, double q) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return quantileOfSorted(sorted, q);
  }

  /**
   * The q-quantile of ascending values with linear interpolation (numpy's default).
   *
   * @param sorted ascending, non-empty
   * @param q in [0, 1]
   */
  static double quantileOfSorted(double[] sorted, double q) {
    double h = (sorted.length - 1) * q;
    int lo = (int) Math.floor(h);
    if (lo >= sorted.length - 1) {
      return sorted[sorted.length - 1];
    }
    return sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]);
  }

  private static Calibration.Summary summaryOfSorted(double[] sorted) {
    return new Calibration.Summary(
        sorted.length, sorted[0], quantileOfSorted(sorted, 0.5), sorted[sorted.length - 1]);
  }

  private static double[] sortedFinite(double[] values, String name) {
    Objects.requireNonNull(values, name);
    if (values.length == 0) {
      throw new IllegalArgumentException(name + " must not be empty");
    }
    for (int i = 0; i < values.length; i++) {
      if (!Double.isFinite(values[i])) {
        throw new IllegalArgumentException(name + "[" + i + "] is not finite: " + values[i]);
      }
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted;
  }
}
