package ai.diffad.evaluation.run;

import ai.diffad.denoise.calibrate.Calibrator;
import ai.diffad.evaluation.report.Plots;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The time-series plots of the NAB and SKAB reports, built on {@link Plots#lineChart}: a score
 * over the rows of one series with the labelled rows shaded, horizontal threshold lines, vertical
 * markers (end of the probationary or training rows) and alarms as dots.
 */
final class SeriesPlots {
  private static final Color SHADE = new Color(214, 39, 40, 60);

  private SeriesPlots() {}

  /**
   * Writes a score-over-time plot.
   *
   * @param values the score of every row (x = row index)
   * @param shaded rows to shade (labelled anomalous), same length as {@code values}
   * @param shadedName name of the shading (not in the legend; say it in the caption)
   * @param levels horizontal lines by legend text (non-finite values are left out)
   * @param verticals vertical lines by legend text, at a row index
   * @param alarms rows drawn as dots on the score, or null
   * @param alarmsName legend text of the dots
   */
  static void timeline(Path file, String title, String yLabel, double[] values,
      boolean[] shaded, String shadedName, Map<String, Double> levels,
      Map<String, Integer> verticals, boolean[] alarms, String alarmsName) throws IOException {
    int n = values.length;
    if (n == 0 || shaded.length != n || (alarms != null && alarms.length != n)) {
      throw new IllegalArgumentException(title + ": " + n + " values, " + shaded.length
          + " labels" + (alarms == null ? "" : ", " + alarms.length + " alarms"));
    }
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (double v : values) {
      if (Double.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    for (double v : levels.values()) {
      if (Double.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    if (!(hi > lo)) {
      double c = Double.isFinite(lo) ? lo : 0;
      lo = c - 0.5;
      hi = c + 0.5;
    }
    double pad = 0.04 * (hi - lo);
    lo -= pad;
    hi += pad;
    // XChart fills an area down (or up) to 0: one band from 0 up to the top and one from 0 down
    // to the bottom, both 0 outside the shaded rows, so that shaded rows are filled top to bottom
    double[] x = new double[n];
    double[] up = new double[n];
    double[] down = new double[n];
    for (int t = 0; t < n; t++) {
      x[t] = t;
      up[t] = shaded[t] ? Math.max(hi, 0) : 0;
      down[t] = shaded[t] ? Math.min(lo, 0) : 0;
    }
    String below = shadedName + " ";
    Map<String, double[][]> series = new LinkedHashMap<>();
    series.put(shadedName, new double[][] {x, up});
    series.put(below, new double[][] {x, down});
    series.put(yLabel, new double[][] {x, values});
    for (Map.Entry<String, Double> e : levels.entrySet()) {
      if (Double.isFinite(e.getValue())) {
        series.put(e.getKey(), new double[][] {{0, n - 1}, {e.getValue(), e.getValue()}});
      }
    }
    for (Map.Entry<String, Integer> e : verticals.entrySet()) {
      series.put(e.getKey(), new double[][] {{e.getValue(), e.getValue()}, {lo, hi}});
    }
    XYChart chart = Plots.lineChart(title, "row", yLabel, series);
    chart.getStyler().setYAxisMin(lo);
    chart.getStyler().setYAxisMax(hi);
    chart.getStyler().setXAxisMin(0.0);
    chart.getStyler().setXAxisMax((double) Math.max(1, n - 1));
    chart.getStyler().setXAxisDecimalPattern("#0");
    for (XYSeries s : chart.getSeriesMap().values()) {
      s.setMarker(SeriesMarkers.NONE);
    }
    for (String name : new String[] {shadedName, below}) {
      XYSeries band = chart.getSeriesMap().get(name);
      band.setXYSeriesRenderStyle(XYSeriesRenderStyle.StepArea);
      band.setLineColor(new Color(0, 0, 0, 0));
      band.setFillColor(SHADE);
      band.setShowInLegend(false); // an area's legend entry is its (transparent) line
    }
    chart.getSeriesMap().get(yLabel).setLineColor(Plots.colour(0));
    int i = 0;
    for (String name : levels.keySet()) {
      XYSeries s = chart.getSeriesMap().get(name);
      if (s != null) {
        s.setLineColor(i++ == 0 ? Color.BLACK : Color.GRAY);
        s.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
            new float[] {6f, 4f}, 0f));
      }
    }
    for (String name : verticals.keySet()) {
      chart.getSeriesMap().get(name).setLineColor(Plots.colour(7));
    }
    if (alarms != null) {
      int k = 0;
      for (boolean a : alarms) {
        k += a ? 1 : 0;
      }
      if (k > 0) {
        double[] ax = new double[k];
        double[] ay = new double[k];
        int j = 0;
        for (int t = 0; t < n; t++) {
          if (alarms[t]) {
            ax[j] = t;
            ay[j++] = values[t];
          }
        }
        XYSeries s = chart.addSeries(alarmsName + " (" + k + ")", ax, ay);
        s.setXYSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
        s.setMarker(SeriesMarkers.DIAMOND);
        s.setMarkerColor(Plots.colour(3));
      }
    }
    Plots.write(file, chart);
  }

  /**
   * Copies of two score sets with every value moved into the pooled {@code [q, 1 - q]} quantile
   * range, so that a few extreme scores do not squeeze a histogram into one bin; non-finite values
   * are dropped.
   */
  static double[][] clipped(double[] a, double[] b, double q) {
    double[] fa = Arrays.stream(a).filter(Double::isFinite).toArray();
    double[] fb = Arrays.stream(b).filter(Double::isFinite).toArray();
    double[] all = new double[fa.length + fb.length];
    System.arraycopy(fa, 0, all, 0, fa.length);
    System.arraycopy(fb, 0, all, fa.length, fb.length);
    if (all.length == 0) {
      return new double[][] {fa, fb};
    }
    double lo = Calibrator.quantile(all, q);
    double hi = Calibrator.quantile(all, 1 - q);
    for (double[] v : new double[][] {fa, fb}) {
      for (int i = 0; i < v.length; i++) {
        v[i] = Math.max(lo, Math.min(hi, v[i]));
      }
    }
    return new double[][] {fa, fb};
  }

  /** A file-name-safe form of a name. */
  static String slug(String name) {
    return name.toLowerCase(Locale.ROOT).replace(".csv", "").replaceAll("[^a-z0-9]+", "-")
        .replaceAll("^-|-$", "");
  }
}
