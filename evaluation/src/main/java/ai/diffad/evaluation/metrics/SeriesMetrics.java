package ai.diffad.evaluation.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * Point-wise and point-adjusted metrics for labelled series.
 *
 * <p>Point adjustment (Xu et al. 2018, used by ImDiffusion and many others) marks a whole
 * labelled segment as detected if any of its points is flagged. It inflates scores a lot, so it is
 * always a separate method reported under the label {@value #POINT_ADJUSTED}, never mixed with
 * point-wise numbers.
 */
public final class SeriesMetrics {
  /** The label to report point-adjusted numbers under. */
  public static final String POINT_ADJUSTED = "point-adjusted";

  private SeriesMetrics() {}

  /** Confusion counts of binary predictions against labels. */
  public static BinaryCounts count(boolean[] predictions, boolean[] labels) {
    sameLength(predictions.length, labels.length);
    long tp = 0;
    long fp = 0;
    long fn = 0;
    long tn = 0;
    for (int i = 0; i < labels.length; i++) {
      if (predictions[i]) {
        if (labels[i]) {
          tp++;
        } else {
          fp++;
        }
      } else if (labels[i]) {
        fn++;
      } else {
        tn++;
      }
    }
    return new BinaryCounts(tp, fp, fn, tn);
  }

  /** Counts with a fixed threshold: a point is flagged when its score is {@code >= threshold}. */
  public static BinaryCounts atThreshold(double[] scores, double threshold, boolean[] labels) {
    return count(flag(scores, threshold), labels);
  }

  /** Flags every point whose score is {@code >= threshold}. */
  public static boolean[] flag(double[] scores, double threshold) {
    boolean[] p = new boolean[scores.length];
    for (int i = 0; i < scores.length; i++) {
      p[i] = scores[i] >= threshold;
    }
    return p;
  }

  /** The best point-wise F1 over all thresholds (threshold picked on the test labels). */
  public static double pointwiseBestF1(double[] scores, boolean[] labels) {
    return BinaryCurve.of(scores, labels).f1Max();
  }

  /** Predictions after point adjustment: every labelled segment with a flagged point is flagged. */
  public static boolean[] pointAdjust(boolean[] predictions, boolean[] labels) {
    sameLength(predictions.length, labels.length);
    boolean[] out = predictions.clone();
    for (IndexWindow s : segments(labels)) {
      boolean hit = false;
      for (int i = s.start(); i <= s.end() && !hit; i++) {
        hit = predictions[i];
      }
      if (hit) {
        for (int i = s.start(); i <= s.end(); i++) {
          out[i] = true;
        }
      }
    }
    return out;
  }

  /** Point-adjusted confusion counts of binary predictions. */
  public static BinaryCounts pointAdjusted(boolean[] predictions, boolean[] labels) {
    return count(pointAdjust(predictions, labels), labels);
  }

  /**
   * The best point-adjusted F1 over all thresholds. Each labelled segment is one item scored by
   * its maximum and weighing its length; each normal point weighs 1 — so one sweep gives the exact
   * adjusted counts at every threshold.
   */
  public static double pointAdjustedBestF1(double[] scores, boolean[] labels) {
    return pointAdjustedBestF1(List.of(scores), List.of(labels));
  }

  /**
   * {@link #pointAdjustedBestF1(double[], boolean[])} over several series with one threshold:
   * segments are taken per series, so a segment never joins the end of one series to the start of
   * the next.
   */
  public static double pointAdjustedBestF1(List<double[]> scores, List<boolean[]> labels) {
    sameLength(scores.size(), labels.size());
    int n = 0;
    List<List<IndexWindow>> segs = new ArrayList<>();
    for (int j = 0; j < scores.size(); j++) {
      boolean[] lab = labels.get(j);
      sameLength(scores.get(j).length, lab.length);
      segs.add(segments(lab));
      n += segs.get(j).size();
      for (boolean b : lab) {
        if (!b) {
          n++;
        }
      }
    }
    double[] s = new double[n];
    boolean[] y = new boolean[n];
    double[] w = new double[n];
    int k = 0;
    for (int j = 0; j < scores.size(); j++) {
      double[] sc = scores.get(j);
      boolean[] lab = labels.get(j);
      for (int i = 0; i < lab.length; i++) {
        if (!lab[i]) {
          s[k] = sc[i];
          w[k++] = 1.0;
        }
      }
      for (IndexWindow seg : segs.get(j)) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = seg.start(); i <= seg.end(); i++) {
          max = Math.max(max, sc[i]);
        }
        s[k] = max;
        y[k] = true;
        w[k++] = seg.length();
      }
    }
    return BinaryCurve.weighted(s, y, w).f1Max();
  }

  /** The maximal runs of true labels, in order. */
  public static List<IndexWindow> segments(boolean[] labels) {
    List<IndexWindow> out = new ArrayList<>();
    int i = 0;
    while (i < labels.length) {
      if (labels[i]) {
        int start = i;
        while (i < labels.length && labels[i]) {
          i++;
        }
        out.add(new IndexWindow(start, i - 1));
      } else {
        i++;
      }
    }
    return out;
  }

  private static void sameLength(int a, int b) {
    if (a != b) {
      throw new IllegalArgumentException("predictions/scores have " + a + " points, labels " + b);
    }
  }
}
