package ai.diffad.denoise.calibrate;

import ai.diffad.config.ThresholdMethod;
import java.util.List;
import java.util.Objects;

/**
 * A calibration of anomaly scores, the contents of {@code calibration.json}: the threshold on the
 * raw score, the normalisation to [0, 1], what it was learned from, and the engine settings it is
 * valid for.
 *
 * <p>Normalisation follows anomalib's min-max normaliser ({@code normalize_min_max}):
 *
 * <pre>normalized = clip((score - threshold) / (max - min) + 0.5, 0, 1)</pre>
 *
 * with min and max the smallest and largest calibration score. The threshold maps to exactly
 * 0.5, so "normalized &gt;= 0.5" and "score &gt;= threshold" agree; scores further than half the
 * calibration range from the threshold saturate at 0 or 1. When every calibration score was the
 * same (max = min) the normalised score is 0, 0.5 or 1 for a score below, at or above the
 * threshold.
 *
 * <p>A score is anomalous when {@code score >= threshold}, the convention of anomalib's
 * post-processor and of the precision-recall curve the F1 threshold is chosen on.
 *
 * @param formatVersion file format; {@value #FORMAT_VERSION} is the only one this code reads
 * @param method quantile of normal scores, or F1-optimal on labelled scores
 * @param quantile the quantile used (method = quantile), else null
 * @param threshold threshold on the raw score
 * @param normalization min and max of the calibration scores
 * @param normalScores count and summary of the normal scores used
 * @param anomalousCount labelled anomalous scores used (0 for method = quantile)
 * @param f1 F1 of the chosen threshold on the labelled scores (method = f1), else null
 * @param createdAt ISO-8601 instant the calibration was made
 * @param settings engine settings the scores were made with; the calibration is valid only for
 *     them
 */
public record Calibration(
    int formatVersion,
    ThresholdMethod method,
    Double quantile,
    double threshold,
    Normalization normalization,
    Summary normalScores,
    int anomalousCount,
    Double f1,
    String createdAt,
    ScoreSettings settings) {

  /** The calibration file format written and accepted by this code. */
  public static final int FORMAT_VERSION = 1;

  /** Validates. */
  public Calibration {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(normalization, "normalization");
    Objects.requireNonNull(normalScores, "normalScores");
    Objects.requireNonNull(settings, "settings");
    if (!Double.isFinite(threshold)) {
      throw new IllegalArgumentException("threshold must be finite, got " + threshold);
    }
    if (method == ThresholdMethod.QUANTILE && quantile == null) {
      throw new IllegalArgumentException("method quantile needs the quantile");
    }
  }

  /**
   * Min-max normalisation parameters (anomalib's {@code min}/{@code max} statistics).
   *
   * @param min smallest calibration score
   * @param max largest calibration score, >= min
   */
  public record Normalization(double min, double max) {
    /** Validates. */
    public Normalization {
      if (!Double.isFinite(min) || !Double.isFinite(max) || max < min) {
        throw new IllegalArgumentException(
            "normalization needs finite min <= max, got min " + min + " max " + max);
      }
    }
  }

  /**
   * Count and order statistics of a set of scores.
   *
   * @param count number of scores
   * @param min smallest
   * @param median median (mean of the two middle values for an even count)
   * @param max largest
   */
  public record Summary(int count, double min, double median, double max) {}

  /**
   * The score mapped to [0, 1] with the threshold at 0.5 (see the class comment).
   *
   * @param score a raw anomaly score made with {@link #settings()}
   * @return the normalised score; NaN for a NaN score
   */
  public double normalize(double score) {
    double range = normalization.max() - normalization.min();
    double centred = score - threshold;
    if (range <= 0) {
      return centred > 0 ? 1.0 : centred < 0 ? 0.0 : centred == 0 ? 0.5 : Double.NaN;
    }
    double v = centred / range + 0.5;
    return Double.isNaN(v) ? v : Math.max(0.0, Math.min(1.0, v));
  }

  /** Whether a raw score is anomalous: {@code score >= threshold}. */
  public boolean isAnomalous(double score) {
    return score >= threshold;
  }

  /**
   * The settings that differ between this calibration and the engine's current settings (empty
   * when the calibration applies).
   */
  public List<String> differences(ScoreSettings current) {
    return settings.differences(current);
  }

  /**
   * Refuses to apply this calibration to scores made with other settings.
   *
   * @param current the engine's current settings
   * @throws CalibrationMismatchException naming every differing setting
   */
  public void requireSettings(ScoreSettings current) {
    List<String> diffs = differences(current);
    if (!diffs.isEmpty()) {
      throw new CalibrationMismatchException(diffs);
    }
  }
}
