package ai.diffad.evaluation.run;

import ai.diffad.denoise.calibrate.Calibrator;
import ai.diffad.evaluation.run.NabEvaluation.Options;
import java.util.Arrays;

/**
 * The rule every NAB detector puts its raw per-row score through.
 *
 * <p>The raw score is averaged causally over {@code smoothing} rows and z-scored against that
 * average's mean and standard deviation over the preceding {@code history} rows (or the
 * probationary rows when {@code history} is 0), so one scale serves all series and a lasting
 * change stops alarming once it is the new normal (the idea of HTM's anomaly likelihood).
 *
 * <p>The label-free threshold is {@code labelFreeFactor} times the {@code labelFreeQuantile} of
 * the smoothed probationary raw scores (the SKAB Conv-AE's upper-control-limit rule), put on the z
 * scale with the probationary mean and standard deviation.
 */
final class NabZScore {
  private NabZScore() {}

  /**
   * The detector's output from raw scores: causal moving average over {@code options.smoothing}
   * rows, z-scored by that average's mean and standard deviation over the preceding
   * {@code options.history} rows (the probationary rows while fewer precede, or always when
   * history is 0); and the label-free threshold on the probationary z scale.
   *
   * @param probation the probationary rows of the series
   * @param firstRow first row whose raw score came from a full window (window - 1 for causal
   *     scoring, 0 otherwise)
   */
  static NabDetection of(double[] raw, int probation, int firstRow, Options options) {
    int n = raw.length;
    int k = options.smoothing();
    double[] a = new double[n];
    double run = 0;
    for (int t = 0; t < n; t++) {
      run += raw[t];
      if (t >= k) {
        run -= raw[t - k];
      }
      a[t] = run / Math.min(t + 1, k);
    }
    int from = Math.max(0, Math.min(firstRow + k - 1, probation - 1));
    int to = Math.max(probation, from + 1);
    double[] ref = Arrays.copyOfRange(a, from, to);
    double mu = 0;
    for (double v : ref) {
      mu += v;
    }
    mu /= ref.length;
    double var = 0;
    for (double v : ref) {
      var += (v - mu) * (v - mu);
    }
    double sd = floorStd(Math.sqrt(var / ref.length), mu);
    double[] z = new double[n];
    int h = options.history();
    // prefix sums of (a - mu) for the rolling reference
    double[] s1 = new double[n + 1];
    double[] s2 = new double[n + 1];
    for (int t = 0; t < n; t++) {
      double d = a[t] - mu;
      s1[t + 1] = s1[t] + d;
      s2[t + 1] = s2[t] + d * d;
    }
    for (int t = 0; t < n; t++) {
      int hi = t - k + 1; // reference rows end before the current average's rows
      int lo = Math.max(from, hi - h);
      if (h == 0 || t < probation || hi - lo < to - from) {
        z[t] = (a[t] - mu) / sd;
        continue;
      }
      int m = hi - lo;
      double mean = (s1[hi] - s1[lo]) / m;
      double v = Math.max(0, (s2[hi] - s2[lo]) / m - mean * mean);
      z[t] = (a[t] - mu - mean) / floorStd(Math.sqrt(v), mean + mu);
    }
    double ucl = options.labelFreeFactor()
        * Calibrator.quantile(ref, options.labelFreeQuantile());
    return new NabDetection(z, (ucl - mu) / sd, raw);
  }

  private static double floorStd(double sd, double mean) {
    return Math.max(sd, Math.max(1e-9, 1e-6 * Math.abs(mean)));
  }
}
