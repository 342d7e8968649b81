package ai.diffad.evaluation.report;

import ai.diffad.denoise.io.ImageEncoder;
import ai.diffad.evaluation.metrics.BinaryCurve;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * PNG plots of an evaluation, drawn with XChart and written atomically: ROC and precision-recall
 * curves (one line per method, the AUROC / AP in the legend), overlaid score histograms of normal
 * and anomalous items, and a generic line chart (AUROC vs DDIM steps, PSNR vs sigma, ...).
 *
 * <p>Each plot has a {@code ...Chart} method that builds the {@link XYChart} (for tests and for
 * callers that want to restyle it) and a method that writes it to a PNG file. Curve points come
 * from {@link BinaryCurve#points}; the legend numbers from {@link BinaryCurve#of}, so they match the
 * numbers in {@code report.json}. Runs headless.
 */
public final class Plots {
  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  /** Width of every plot in pixels. */
  public static final int WIDTH = 640;

  /** Height of every plot in pixels. */
  public static final int HEIGHT = 480;

  /** Curves with more points than this are thinned evenly for drawing (metrics are exact). */
  static final int MAX_POINTS = 2000;

  /** Name of the ROC chart's chance diagonal (not shown in the legend). */
  public static final String CHANCE = "chance";

  /** Line colours by method position (matplotlib's tab10), so a method has one colour in all plots. */
  private static final Color[] PALETTE = {
      new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44),
      new Color(214, 39, 40), new Color(148, 103, 189), new Color(140, 86, 75),
      new Color(227, 119, 194), new Color(127, 127, 127), new Color(188, 189, 34),
      new Color(23, 190, 207)};

  private Plots() {}

  /** The colour of the {@code i}-th method or series (0-based) in every plot. */
  public static Color colour(int i) {
    return PALETTE[i % PALETTE.length];
  }

  // ---------------------------------------------------------------- ROC

  /**
   * Writes a ROC plot, one line per method in map order, legend "name (AUROC 0.987)".
   *
   * @return each method's metrics, in map order
   */
  public static Map<String, BinaryCurve.Summary> rocCurve(Path file,
      Map<String, ScoredSet> methods) throws IOException {
    return rocCurve(file, "ROC curve", methods);
  }

  /** {@link #rocCurve(Path, Map)} with a chart title. */
  public static Map<String, BinaryCurve.Summary> rocCurve(Path file, String title,
      Map<String, ScoredSet> methods) throws IOException {
    Map<String, BinaryCurve.Summary> out = new LinkedHashMap<>();
    write(file, rocChart(title, methods, out));
    return out;
  }

  /** The ROC chart of {@link #rocCurve(Path, String, Map)}, not written. */
  public static XYChart rocChart(String title, Map<String, ScoredSet> methods) {
    return rocChart(title, methods, new LinkedHashMap<>());
  }

  private static XYChart rocChart(String title, Map<String, ScoredSet> methods,
      Map<String, BinaryCurve.Summary> summaries) {
    requireSome(methods);
    XYChart chart = unitChart(title, "false positive rate", "true positive rate");
    chart.getStyler().setLegendPosition(LegendPosition.InsideSE);
    XYSeries chance = chart.addSeries(CHANCE, new double[] {0, 1}, new double[] {0, 1});
    chance.setMarker(SeriesMarkers.NONE);
    chance.setLineColor(Color.GRAY);
    chance.setLineStyle(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
        new float[] {6f, 4f}, 0f));
    chance.setShowInLegend(false);
    int i = 0;
    for (Map.Entry<String, ScoredSet> e : methods.entrySet()) {
      ScoredSet s = e.getValue();
      BinaryCurve.Summary summary = s.summary();
      summaries.put(e.getKey(), summary);
      BinaryCurve.Points p = BinaryCurve.points(s.scores(), s.labels());
      double[][] xy = thin(p.fpr(), p.tpr());
      XYSeries series = chart.addSeries(label(e.getKey(), "AUROC", summary.auroc()), xy[0], xy[1]);
      series.setMarker(SeriesMarkers.NONE);
      series.setLineColor(colour(i++));
    }
    return chart;
  }

  // ---------------------------------------------------------------- PR

  /**
   * Writes a precision-recall plot, one step line per method, legend "name (AP 0.912)". The steps
   * are drawn as average precision counts them, so the area under each line is its AP.
   *
   * @return each method's metrics, in map order
   */
  public static Map<String, BinaryCurve.Summary> prCurve(Path file,
      Map<String, ScoredSet> methods) throws IOException {
    return prCurve(file, "Precision-recall curve", methods);
  }

  /** {@link #prCurve(Path, Map)} with a chart title. */
  public static Map<String, BinaryCurve.Summary> prCurve(Path file, String title,
      Map<String, ScoredSet> methods) throws IOException {
    Map<String, BinaryCurve.Summary> out = new LinkedHashMap<>();
    write(file, prChart(title, methods, out));
    return out;
  }

  /** The chart of {@link #prCurve(Path, String, Map)}, not written. */
  public static XYChart prChart(String title, Map<String, ScoredSet> methods) {
    return prChart(title, methods, new LinkedHashMap<>());
  }

  private static XYChart prChart(String title, Map<String, ScoredSet> methods,
      Map<String, BinaryCurve.Summary> summaries) {
    requireSome(methods);
    XYChart chart = unitChart(title, "recall", "precision");
    chart.getStyler().setLegendPosition(LegendPosition.InsideSW);
    int i = 0;
    for (Map.Entry<String, ScoredSet> e : methods.entrySet()) {
      ScoredSet s = e.getValue();
      BinaryCurve.Summary summary = s.summary();
      summaries.put(e.getKey(), summary);
      BinaryCurve.Points p = BinaryCurve.points(s.scores(), s.labels());
      double[] r = p.recall();
      double[] pr = p.precision();
      // AP = sum (R_k - R_{k-1}) * P_k: precision P_k over recall (R_{k-1}, R_k].
      double[] x = new double[2 * r.length];
      double[] y = new double[2 * r.length];
      double prev = 0;
      for (int k = 0; k < r.length; k++) {
        x[2 * k] = prev;
        y[2 * k] = pr[k];
        x[2 * k + 1] = r[k];
        y[2 * k + 1] = pr[k];
        prev = r[k];
      }
      double[][] xy = thin(x, y);
      XYSeries series = chart.addSeries(label(e.getKey(), "AP", summary.averagePrecision()),
          xy[0], xy[1]);
      series.setMarker(SeriesMarkers.NONE);
      series.setLineColor(colour(i++));
    }
    return chart;
  }

  // ---------------------------------------------------------------- histograms

  /** Writes overlaid histograms of normal and anomalous scores, without a threshold line. */
  public static void scoreHistogram(Path file, String method, double[] normal,
      double[] anomalous) throws IOException {
    scoreHistogram(file, method, normal, anomalous, Double.NaN);
  }

  /**
   * Writes overlaid histograms of normal and anomalous scores on shared bins, each as the share of
   * its own class (so a class of 20 is as visible as one of 400), with a vertical line at {@code
   * threshold} unless it is NaN.
   */
  public static void scoreHistogram(Path file, String method, double[] normal,
      double[] anomalous, double threshold) throws IOException {
    write(file, histogramChart(method, normal, anomalous, threshold));
  }

  /** The chart of {@link #scoreHistogram(Path, String, double[], double[], double)}. */
  public static XYChart histogramChart(String method, double[] normal, double[] anomalous,
      double threshold) {
    int n = normal.length + anomalous.length;
    if (n == 0) {
      throw new IllegalArgumentException("no scores to draw for " + method);
    }
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (double[] a : new double[][] {normal, anomalous}) {
      for (double v : a) {
        if (!Double.isFinite(v)) {
          throw new IllegalArgumentException(method + ": score " + v + " cannot be binned");
        }
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    if (Double.isFinite(threshold)) {
      lo = Math.min(lo, threshold);
      hi = Math.max(hi, threshold);
    }
    if (hi <= lo) {
      double pad = lo == 0 ? 0.5 : Math.abs(lo) * 0.05;
      lo -= pad;
      hi += pad;
    }
    int bins = binCount(n);
    XYChart chart = new XYChart(WIDTH, HEIGHT);
    chart.setTitle("Score histogram: " + method);
    chart.setXAxisTitle("score");
    chart.setYAxisTitle("share of class");
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeriesRenderStyle.Area);
    chart.getStyler().setYAxisMin(0.0);
    chart.getStyler().setLegendPosition(LegendPosition.InsideNE);
    chart.getStyler().setXAxisDecimalPattern("#0.###");
    chart.getStyler().setYAxisDecimalPattern("0.00");
    double top = 0;
    if (normal.length > 0) {
      top = Math.max(top, addHistogram(chart, "normal (n=" + normal.length + ")", normal, lo, hi,
          bins, colour(0)));
    }
    if (anomalous.length > 0) {
      top = Math.max(top, addHistogram(chart, "anomalous (n=" + anomalous.length + ")", anomalous,
          lo, hi, bins, colour(3)));
    }
    if (Double.isFinite(threshold)) {
      XYSeries t = chart.addSeries(
          String.format(Locale.ROOT, "threshold %.4g", threshold),
          new double[] {threshold, threshold}, new double[] {0, top * 1.05});
      t.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
      t.setMarker(SeriesMarkers.NONE);
      t.setLineColor(Color.BLACK);
      t.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
          new float[] {6f, 4f}, 0f));
    }
    return chart;
  }

  /** Bins: about sqrt(n), between 10 and 50. */
  static int binCount(int n) {
    return Math.max(10, Math.min(50, (int) Math.ceil(Math.sqrt(n))));
  }

  /**
   * Share of {@code values} in each of {@code bins} equal bins over [lo, hi]; the last bin is
   * closed on the right.
   */
  static double[] histogram(double[] values, double lo, double hi, int bins) {
    double[] h = new double[bins];
    double w = (hi - lo) / bins;
    for (double v : values) {
      int b = (int) Math.floor((v - lo) / w);
      h[Math.max(0, Math.min(bins - 1, b))] += 1.0 / values.length;
    }
    return h;
  }

  /**
   * The {@code bins + 1} edges from {@code lo} to exactly {@code hi}, never decreasing: XChart
   * refuses an area whose x data step back, and {@code lo + bins * ((hi - lo) / bins)} can exceed
   * {@code hi} by a rounding error.
   */
  static double[] binEdges(double lo, double hi, int bins) {
    double[] e = new double[bins + 1];
    for (int b = 0; b < bins; b++) {
      e[b] = Math.min(hi, lo + (hi - lo) * b / bins);
    }
    e[bins] = hi;
    return e;
  }

  private static double addHistogram(XYChart chart, String name, double[] values, double lo,
      double hi, int bins, Color colour) {
    double[] h = histogram(values, lo, hi, bins);
    double[] edge = binEdges(lo, hi, bins);
    double[] x = new double[2 * bins + 2];
    double[] y = new double[2 * bins + 2];
    x[0] = lo;
    y[0] = 0;
    double top = 0;
    for (int b = 0; b < bins; b++) {
      x[1 + 2 * b] = edge[b];
      y[1 + 2 * b] = h[b];
      x[2 + 2 * b] = edge[b + 1];
      y[2 + 2 * b] = h[b];
      top = Math.max(top, h[b]);
    }
    x[2 * bins + 1] = hi;
    y[2 * bins + 1] = 0;
    XYSeries s = chart.addSeries(name, x, y);
    s.setMarker(SeriesMarkers.NONE);
    s.setLineColor(colour);
    s.setFillColor(new Color(colour.getRed(), colour.getGreen(), colour.getBlue(), 100));
    return top;
  }

  // ---------------------------------------------------------------- line charts

  /**
   * Writes a line chart with markers: each series is {@code {xs, ys}} (two arrays of equal
   * length), drawn in map order. For "image AUROC vs DDIM steps" or "PSNR vs sigma".
   */
  public static void lineChart(Path file, String title, String xLabel, String yLabel,
      Map<String, double[][]> series) throws IOException {
    write(file, lineChart(title, xLabel, yLabel, series));
  }

  /** The chart of {@link #lineChart(Path, String, String, String, Map)}, not written. */
  public static XYChart lineChart(String title, String xLabel, String yLabel,
      Map<String, double[][]> series) {
    if (series.isEmpty()) {
      throw new IllegalArgumentException(title + ": no series to draw");
    }
    XYChart chart = new XYChart(WIDTH, HEIGHT);
    chart.setTitle(title);
    chart.setXAxisTitle(xLabel);
    chart.setYAxisTitle(yLabel);
    chart.getStyler().setLegendPosition(LegendPosition.OutsideS);
    chart.getStyler().setXAxisDecimalPattern("#0.###");
    chart.getStyler().setYAxisDecimalPattern("#0.###");
    int i = 0;
    for (Map.Entry<String, double[][]> e : series.entrySet()) {
      double[][] xy = e.getValue();
      if (xy.length != 2 || xy[0].length != xy[1].length || xy[0].length == 0) {
        throw new IllegalArgumentException(title + ": series '" + e.getKey()
            + "' must be {xs, ys} with equal, non-zero lengths");
      }
      XYSeries s = chart.addSeries(e.getKey(), xy[0], xy[1]);
      s.setLineColor(colour(i));
      s.setMarkerColor(colour(i++));
    }
    return chart;
  }

  // ---------------------------------------------------------------- output

  /** Writes a chart as a PNG of its size, atomically; creates missing folders. */
  public static void write(Path file, XYChart chart) throws IOException {
    ImageEncoder.writeAtomically(file,
        BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
  }

  /** The legend text of a method: {@code name (METRIC 0.987)}, 3 decimals. */
  public static String label(String method, String metric, double value) {
    return String.format(Locale.ROOT, "%s (%s %.3f)", method, metric, value);
  }

  private static XYChart unitChart(String title, String xLabel, String yLabel) {
    XYChart chart = new XYChart(WIDTH, HEIGHT);
    chart.setTitle(title);
    chart.setXAxisTitle(xLabel);
    chart.setYAxisTitle(yLabel);
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeriesRenderStyle.Line);
    chart.getStyler().setXAxisMin(0.0);
    chart.getStyler().setXAxisMax(1.0);
    chart.getStyler().setYAxisMin(0.0);
    chart.getStyler().setYAxisMax(1.0);
    chart.getStyler().setXAxisDecimalPattern("0.0");
    chart.getStyler().setYAxisDecimalPattern("0.0");
    return chart;
  }

  private static void requireSome(Map<String, ScoredSet> methods) {
    if (methods.isEmpty()) {
      throw new IllegalArgumentException("no methods to draw");
    }
  }

  /** Keeps at most {@link #MAX_POINTS} evenly spaced points, always the first and the last. */
  static double[][] thin(double[] x, double[] y) {
    int n = x.length;
    if (n <= MAX_POINTS) {
      return new double[][] {x, y};
    }
    double[] tx = new double[MAX_POINTS];
    double[] ty = new double[MAX_POINTS];
    for (int i = 0; i < MAX_POINTS; i++) {
      int k = (int) Math.round((double) i * (n - 1) / (MAX_POINTS - 1));
      tx[i] = x[k];
      ty[i] = y[k];
    }
    return new double[][] {tx, ty};
  }
}
