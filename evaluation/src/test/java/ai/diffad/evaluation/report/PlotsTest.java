package ai.diffad.evaluation.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.diffad.evaluation.metrics.AveragePrecision;
import ai.diffad.evaluation.metrics.Auroc;
import ai.diffad.evaluation.metrics.BinaryCurve;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

class PlotsTest {
  @TempDir Path dir;

  /** Normals score 0..49, anomalies 100..149: perfect separation. */
  private static ScoredSet perfect() {
    double[] normal = new double[50];
    double[] anomalous = new double[50];
    for (int i = 0; i < 50; i++) {
      normal[i] = i;
      anomalous[i] = 100 + i;
    }
    return ScoredSet.of(normal, anomalous);
  }

  /** Scores independent of the labels, with ties (values 0..9). */
  private static ScoredSet random() {
    SplittableRandom rnd = new SplittableRandom(11);
    double[] s = new double[100];
    boolean[] y = new boolean[100];
    for (int i = 0; i < s.length; i++) {
      s[i] = rnd.nextInt(10);
      y[i] = i % 2 == 0;
    }
    return new ScoredSet(s, y);
  }

  private static Map<String, ScoredSet> methods() {
    Map<String, ScoredSet> m = new LinkedHashMap<>();
    m.put("diffad", perfect());
    m.put("z-score baseline", random());
    return m;
  }

  @Test
  void rocLegendCarriesEachMethodsAurocAndThePngIsWritten() throws Exception {
    Path file = dir.resolve("plots/roc.png");
    Map<String, BinaryCurve.Summary> got = Plots.rocCurve(file, methods());

    ScoredSet r = random();
    double randomAuroc = Auroc.image(r.scores(), r.labels());
    assertThat(randomAuroc).isBetween(0.3, 0.7);
    assertThat(got.get("diffad").auroc()).isEqualTo(1.0);
    assertThat(got.get("z-score baseline").auroc()).isEqualTo(randomAuroc);

    XYChart chart = Plots.rocChart("ROC curve", methods());
    String randomLegend = String.format(Locale.ROOT, "z-score baseline (AUROC %.3f)", randomAuroc);
    assertThat(chart.getSeriesMap().keySet())
        .containsExactly(Plots.CHANCE, "diffad (AUROC 1.000)", randomLegend);
    assertThat(randomLegend).isNotEqualTo("z-score baseline (AUROC 1.000)");
    assertThat(chart.getSeriesMap().get(Plots.CHANCE).isShowInLegend()).isFalse();

    BufferedImage png = ImageIO.read(file.toFile());
    assertThat(png).isNotNull();
    assertThat(png.getWidth()).isEqualTo(Plots.WIDTH);
    assertThat(png.getHeight()).isEqualTo(Plots.HEIGHT);
  }

  @Test
  void areaUnderTheDrawnRocLineIsTheAurocAndThePerfectLineHugsTheTopLeftCorner() {
    XYChart chart = Plots.rocChart("ROC", methods());
    ScoredSet r = random();
    XYSeries randomLine = series(chart, "z-score baseline");
    assertThat(trapezoid(randomLine)).isCloseTo(Auroc.image(r.scores(), r.labels()),
        within(1e-12));
    XYSeries perfectLine = series(chart, "diffad");
    double[] x = perfectLine.getXData();
    double[] y = perfectLine.getYData();
    assertThat(x[0]).isZero();
    assertThat(y[0]).isZero();
    assertThat(x[x.length - 1]).isEqualTo(1.0);
    assertThat(y[y.length - 1]).isEqualTo(1.0);
    // Every anomaly is flagged before the first normal: the line reaches TPR 1 at FPR 0.
    for (int i = 0; i < x.length; i++) {
      if (x[i] > 0) {
        assertThat(y[i]).isEqualTo(1.0);
      }
    }
  }

  @Test
  void areaUnderTheDrawnPrStepsIsTheAveragePrecisionAndTheLegendShowsIt() throws Exception {
    ScoredSet r = random();
    double ap = AveragePrecision.of(r.scores(), r.labels());
    XYChart chart = Plots.prChart("PR", methods());
    assertThat(chart.getSeriesMap().keySet()).containsExactly("diffad (AP 1.000)",
        String.format(Locale.ROOT, "z-score baseline (AP %.3f)", ap));
    assertThat(trapezoid(series(chart, "z-score baseline"))).isCloseTo(ap, within(1e-12));
    assertThat(trapezoid(series(chart, "diffad"))).isCloseTo(1.0, within(1e-12));
    // A method keeps its colour between the ROC and the PR plot.
    XYChart roc = Plots.rocChart("ROC", methods());
    for (String m : methods().keySet()) {
      assertThat(series(chart, m).getLineColor()).isEqualTo(series(roc, m).getLineColor());
    }
    assertThat(series(roc, "diffad").getLineColor())
        .isNotEqualTo(series(roc, "z-score baseline").getLineColor());

    Path file = dir.resolve("pr.png");
    Plots.prCurve(file, methods());
    BufferedImage png = ImageIO.read(file.toFile());
    assertThat(png.getWidth()).isEqualTo(Plots.WIDTH);
    assertThat(png.getHeight()).isEqualTo(Plots.HEIGHT);
  }

  @Test
  void histogramSharesAreCountedOnSharedBinsAndThePngIsWritten() throws Exception {
    // 10 bins over [0, 1]: 0.05 and 0.07 in bin 0, 0.55 in bin 5, 1.0 in the last (closed) bin.
    double[] h = Plots.histogram(new double[] {0.05, 0.07, 0.55, 1.0}, 0, 1, 10);
    assertThat(h).containsExactly(new double[] {0.5, 0, 0, 0, 0, 0.25, 0, 0, 0, 0.25},
        within(1e-12));

    double[] normal = perfect().normalScores();
    double[] anomalous = {120, 130, 140};
    XYChart chart = Plots.histogramChart("diffad", normal, anomalous, 75.0);
    assertThat(chart.getSeriesMap().keySet()).containsExactly("normal (n=50)",
        "anomalous (n=3)", "threshold 75.00");
    // Each class's bars are shares of that class: the step heights sum to 1.
    for (String name : List.of("normal (n=50)", "anomalous (n=3)")) {
      double[] y = chart.getSeriesMap().get(name).getYData();
      double sum = 0;
      for (int i = 1; i < y.length - 1; i += 2) {
        sum += y[i];
      }
      assertThat(sum).isCloseTo(1.0, within(1e-9));
    }
    Path file = dir.resolve("hist.png");
    Plots.scoreHistogram(file, "diffad", normal, anomalous, 75.0);
    BufferedImage png = ImageIO.read(file.toFile());
    assertThat(png.getWidth()).isEqualTo(Plots.WIDTH);
    assertThat(png.getHeight()).isEqualTo(Plots.HEIGHT);
    // Constant scores and a single class still draw.
    Plots.scoreHistogram(dir.resolve("flat.png"), "flat", new double[] {2, 2, 2}, new double[0]);
    assertThat(ImageIO.read(dir.resolve("flat.png").toFile())).isNotNull();
  }

  @Test
  void binEdgesEndExactlyAtTheTopSoXChartAcceptsTheArea() throws Exception {
    // 37 bins over [0, 0.3]: 37 * (0.3 / 37) is 0.30000000000000004 in doubles, a step back from
    // the last edge 0.3 that made XChart refuse the chart ("X-Data must be in ascending order")
    assertThat(37 * (0.3 / 37)).isGreaterThan(0.3);
    double[] e = Plots.binEdges(0, 0.3, 37);
    assertThat(e).hasSize(38);
    assertThat(e[37]).isEqualTo(0.3);
    for (int i = 1; i < e.length; i++) {
      assertThat(e[i]).isGreaterThanOrEqualTo(e[i - 1]);
    }
    // 37 * 37 scores spread over [0, 0.3] take 37 bins; the chart must render
    double[] v = new double[37 * 37];
    for (int i = 0; i < v.length; i++) {
      v[i] = 0.3 * i / (v.length - 1);
    }
    Path file = dir.resolve("edges.png");
    Plots.scoreHistogram(file, "edges", v, new double[0], Double.NaN);
    assertThat(ImageIO.read(file.toFile())).isNotNull();
  }

  @Test
  void lineChartDrawsEverySeriesAndRejectsRaggedOnes() throws Exception {
    Map<String, double[][]> s = new LinkedHashMap<>();
    s.put("image AUROC", new double[][] {{10, 25, 50, 100}, {0.91, 0.95, 0.97, 0.975}});
    s.put("pixel AUROC", new double[][] {{10, 25, 50, 100}, {0.88, 0.9, 0.93, 0.94}});
    Path file = dir.resolve("steps.png");
    Plots.lineChart(file, "AUROC vs DDIM steps", "steps", "AUROC", s);
    BufferedImage png = ImageIO.read(file.toFile());
    assertThat(png.getWidth()).isEqualTo(Plots.WIDTH);
    assertThat(png.getHeight()).isEqualTo(Plots.HEIGHT);
    XYChart chart = Plots.lineChart("t", "x", "y", s);
    assertThat(chart.getSeriesMap().get("pixel AUROC").getYData())
        .containsExactly(0.88, 0.9, 0.93, 0.94);
    assertThatThrownBy(() -> Plots.lineChart("t", "x", "y",
        Map.of("bad", new double[][] {{1, 2}, {1}})))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad");
  }

  @Test
  void longCurvesAreThinnedButKeepTheirEnds() {
    int n = 10_000;
    double[] x = new double[n];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = i;
      y[i] = -i;
    }
    double[][] t = Plots.thin(x, y);
    assertThat(t[0]).hasSize(Plots.MAX_POINTS);
    assertThat(t[0][0]).isZero();
    assertThat(t[0][Plots.MAX_POINTS - 1]).isEqualTo(n - 1);
    assertThat(t[1][Plots.MAX_POINTS - 1]).isEqualTo(-(n - 1));
  }

  private static XYSeries series(XYChart chart, String method) {
    return chart.getSeriesMap().entrySet().stream()
        .filter(e -> e.getKey().startsWith(method + " ("))
        .findFirst().orElseThrow().getValue();
  }

  private static double trapezoid(XYSeries s) {
    double[] x = s.getXData();
    double[] y = s.getYData();
    double a = 0;
    for (int i = 1; i < x.length; i++) {
      a += (x[i] - x[i - 1]) * (y[i] + y[i - 1]) / 2;
    }
    return a;
  }
}
