package ai.diffad.evaluation.run;

import ai.diffad.config.DiffadConfig;
import ai.diffad.evaluation.data.SkabDataset;
import ai.diffad.evaluation.metrics.BinaryCounts;
import ai.diffad.evaluation.metrics.SeriesMetrics;
import ai.diffad.evaluation.report.Plots;
import ai.diffad.evaluation.report.ReportHtml;
import ai.diffad.evaluation.report.ReportJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a SKAB evaluation: {@code report.json} (F1, FAR, MAR over all test parts, the threshold
 * rule, per-series F1, the point-adjusted and oracle figures under their own labels),
 * {@code scores.csv} (one row per series), {@code rows.csv} (the score of every row, for plots and
 * analyses of one's own) and {@code report.html} (the figures, the per-series table, a histogram
 * of score / threshold of normal and anomalous test rows and the score of a few series over time
 * with their labels).
 */
public final class SkabReport {
  /** The machine-readable report. */
  public static final String JSON = "report.json";
  /** Per-series results. */
  public static final String CSV = "scores.csv";
  /** The report people read. */
  public static final String HTML = "report.html";
  /** Per-row scores of every series (training rows too), for plots and analyses of one's own. */
  public static final String ROWS_CSV = "rows.csv";
  /** Header of {@link #ROWS_CSV}. */
  public static final List<String> ROWS_HEADER = List.of("series", "row", "part", "score",
      "threshold", "anomaly", "flagged");
  /** Header of {@link #CSV}. */
  public static final List<String> CSV_HEADER = List.of("series", "train_rows", "test_rows",
      "threshold", "tp", "fp", "fn", "tn", "f1", "far", "mar", "train_seconds", "score_seconds");

  private SkabReport() {}

  /**
   * Writes the report files into {@code out}.
   *
   * @param out report folder (created)
   * @param r the evaluation result
   * @param profile the profile the per-series models were trained with
   * @param dataset the SKAB root
   */
  public static void write(Path out, SkabEvaluation.Result r, DiffadConfig profile, Path dataset)
      throws IOException {
    Files.createDirectories(out);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("f1", r.f1());
    json.put("far", r.far());
    json.put("mar", r.mar());
    json.put("far_percent", 100 * r.far());
    json.put("mar_percent", 100 * r.mar());
    json.put("threshold_rule", r.options().rule());
    json.put("protocol", "SKAB outlier detection: a model per labelled series fitted on its first "
        + "400 rows, the 8 sensors as one multivariate tensor per window; predictions of all test "
        + "parts concatenated and scored as one binary classification");
    BinaryCounts c = r.total();
    json.put("counts", Map.of("tp", c.tp(), "fp", c.fp(), "fn", c.fn(), "tn", c.tn()));
    json.put("precision", c.precision());
    json.put("recall", c.recall());
    json.put("all_anomalous_f1", r.allAnomalousF1());
    json.put("all_anomalous_note", "F1 of flagging every test row (FAR 100 %, MAR 0 %): the "
        + "trivial reference on this benchmark, where most test rows are anomalous");
    json.put("point_adjusted_f1", r.pointAdjustedF1());
    json.put("point_adjusted_f1_label", SeriesMetrics.POINT_ADJUSTED
        + ", at the same label-free thresholds; not comparable with the point-wise F1");
    json.put("pointwise_best_f1_oracle", r.pointwiseBestF1Oracle());
    json.put("pointwise_best_f1_oracle_note", "one threshold on score / own threshold over all "
        + "test parts, chosen on the test labels");
    Map<String, Double> perSeries = new LinkedHashMap<>();
    for (SkabEvaluation.SeriesResult s : r.series()) {
      perSeries.put(s.key(), s.f1());
    }
    json.put("per_series_f1", perSeries);
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("profile", profile.name());
    model.put("layout", "one model per series (" + r.series().size() + "), "
        + profile.data().channels() + " channels, window " + profile.data().size());
    model.put("training_steps", profile.training().steps());
    json.put("model", model);
    json.put("configuration", r.engine());
    Map<String, Object> run = new LinkedHashMap<>();
    run.put("dataset", dataset.toString());
    run.put("series", r.series().size());
    run.put("test_rows", c.tp() + c.fp() + c.fn() + c.tn());
    json.put("run", run);
    Map<String, Object> timings = new LinkedHashMap<>();
    timings.put("training_seconds", r.trainSeconds());
    timings.put("total_seconds", r.seconds());
    json.put("timings", timings);
    ReportJson.write(out.resolve(JSON), json);

    StringBuilder csv = new StringBuilder(String.join(",", CSV_HEADER)).append('\n');
    for (SkabEvaluation.SeriesResult s : r.series()) {
      BinaryCounts k = s.counts();
      csv.append(String.format(Locale.ROOT, "%s,%d,%d,%.6g,%d,%d,%d,%d,%.6g,%.6g,%.6g,%.3f,%.3f%n",
          s.key(), s.trainRows(), s.labels().length, s.threshold(), k.tp(), k.fp(), k.fn(),
          k.tn(), k.f1(), k.falseAlarmRate(), k.missedAlarmRate(), s.trainSeconds(),
          s.scoreSeconds()));
    }
    Files.writeString(out.resolve(CSV), csv, StandardCharsets.UTF_8);
    writeRows(out.resolve(ROWS_CSV), r);

    html(out, r, profile, model, run, timings);
  }

  /** Writes {@link #HTML} and its plots. */
  private static void html(Path out, SkabEvaluation.Result r, DiffadConfig profile,
      Map<String, Object> model, Map<String, Object> run, Map<String, Object> timings)
      throws IOException {
    BinaryCounts c = r.total();
    ReportHtml.MetricsTable table = new ReportHtml.MetricsTable()
        .column("f1", "F1")
        .column("far", "FAR %")
        .column("mar", "MAR %")
        .column("precision", "precision")
        .column("recall", "recall")
        .column("pa_f1", "point-adjusted F1", SeriesMetrics.POINT_ADJUSTED + " (an anomalous "
            + "segment counts as found when any row in it is flagged), at the same label-free "
            + "thresholds; not comparable with the point-wise F1")
        .column("oracle_f1", "best F1 (oracle)", "oracle: one threshold on score / own "
            + "threshold over all test parts, chosen on the test labels");
    Map<String, Double> diffad = new LinkedHashMap<>();
    diffad.put("f1", r.f1());
    diffad.put("far", 100 * r.far());
    diffad.put("mar", 100 * r.mar());
    diffad.put("precision", c.precision());
    diffad.put("recall", c.recall());
    diffad.put("pa_f1", r.pointAdjustedF1());
    diffad.put("oracle_f1", r.pointwiseBestF1Oracle());
    table.row("diffad", diffad);
    long pos = c.tp() + c.fn();
    long all = pos + c.fp() + c.tn();
    Map<String, Double> trivial = new LinkedHashMap<>();
    trivial.put("f1", r.allAnomalousF1());
    trivial.put("far", 100.0);
    trivial.put("mar", 0.0);
    trivial.put("precision", all == 0 ? Double.NaN : (double) pos / all);
    trivial.put("recall", 1.0);
    table.row("all anomalous", "every test row flagged: the trivial reference on this "
        + "benchmark, where most test rows are anomalous", trivial);

    List<List<Object>> perSeries = new ArrayList<>();
    for (SkabEvaluation.SeriesResult s : r.series()) {
      BinaryCounts k = s.counts();
      perSeries.add(List.of(s.key(), s.labels().length, String.format(Locale.ROOT, "%.4g",
          s.threshold()), k.tp(), k.fp(), k.fn(), k.tn(), k.f1(), 100 * k.falseAlarmRate(),
          100 * k.missedAlarmRate()));
    }

    List<Double> normal = new ArrayList<>();
    List<Double> anomalous = new ArrayList<>();
    for (SkabEvaluation.SeriesResult s : r.series()) {
      double[] ts = s.testScores();
      for (int i = 0; i < ts.length; i++) {
        (s.labels()[i] ? anomalous : normal).add(ts[i] / s.threshold());
      }
    }
    double[][] clipped = SeriesPlots.clipped(toArray(normal), toArray(anomalous), 0.001);
    String histogram = "histogram-diffad.png";
    Plots.scoreHistogram(out.resolve(histogram), "diffad score / own threshold, test rows",
        clipped[0], clipped[1], 1.0);

    // the worst, the median and the best series by F1 (ties by key)
    List<SkabEvaluation.SeriesResult> byF1 = new ArrayList<>(r.series());
    byF1.sort(Comparator.comparingDouble((SkabEvaluation.SeriesResult s) -> nanLast(s.f1()))
        .thenComparing(SkabEvaluation.SeriesResult::key));
    List<SkabEvaluation.SeriesResult> picked = new ArrayList<>();
    for (int i : new int[] {0, byF1.size() / 2, byF1.size() - 1}) {
      if (!byF1.isEmpty() && !picked.contains(byF1.get(i))) {
        picked.add(byF1.get(i));
      }
    }
    List<ReportHtml.Figure> timelines = new ArrayList<>();
    for (int i = 0; i < picked.size(); i++) {
      SkabEvaluation.SeriesResult s = picked.get(i);
      String file = "series-" + (i + 1) + "-" + SeriesPlots.slug(s.key()) + ".png";
      double[] rel = new double[s.scores().length];
      for (int t = 0; t < rel.length; t++) {
        rel[t] = s.scores()[t] / s.threshold();
      }
      boolean[] lab = new boolean[rel.length];
      System.arraycopy(s.labels(), 0, lab, s.trainRows(), s.labels().length);
      SeriesPlots.timeline(out.resolve(file), s.key(), "score / threshold", rel, lab,
          "anomaly (label)", Map.of("threshold", 1.0), Map.of("end of training rows",
              s.trainRows()), null, null);
      timelines.add(new ReportHtml.Figure(file, String.format(Locale.ROOT,
          "%s (F1 %.3f): diffad's score over its own label-free threshold per row, labelled "
              + "anomalous test rows shaded; the model was fitted on the rows before %d",
          s.key(), s.f1(), s.trainRows())));
    }

    ReportHtml.titled("diffad evaluation: SKAB (" + profile.name() + ")")
        .paragraph("SKAB outlier detection: a model per labelled series (" + r.series().size()
            + ") fitted on its first " + SkabDataset.TRAIN_ROWS + " rows, the "
            + profile.data().channels() + " sensors as one tensor per window; the test part "
            + "(the rest) is flagged where its score reaches a threshold fixed without labels ("
            + r.options().rule() + "); the predictions of all test parts are concatenated and "
            + "scored as one binary classification (F1, false-alarm rate FAR, missed-alarm rate "
            + "MAR).")
        .metrics("Scores over all test rows", table)
        .table("Counts", List.of("TP", "FP", "FN", "TN"),
            List.of(List.of(c.tp(), c.fp(), c.fn(), c.tn())))
        .table("Per series", List.of("series", "test rows", "threshold", "TP", "FP", "FN", "TN",
            "F1", "FAR %", "MAR %"), perSeries)
        .image("Score histogram", histogram, String.format(Locale.ROOT,
            "score / own threshold of the normal (%d) and anomalous (%d) test rows, each as a "
                + "share of its class; the line at 1 is the threshold; values beyond the 0.1 %% "
                + "and 99.9 %% quantiles are counted in the end bins", normal.size(),
            anomalous.size()))
        .images("Scores over time (worst, median and best series by F1)", timelines)
        .keyValues("Model", model)
        .keyValues("Engine settings", MvtecReport.engineMap(r.engine()))
        .keyValues("Run", run)
        .keyValues("Timings", timings)
        .write(out.resolve(HTML));
  }

  /**
   * Writes {@link #ROWS_CSV}: one line per row of every series, the training rows marked
   * {@code train} (their anomaly and flagged columns empty: they are not scored by the protocol).
   */
  static void writeRows(Path file, SkabEvaluation.Result r) throws IOException {
    StringBuilder sb = new StringBuilder(String.join(",", ROWS_HEADER)).append('\n');
    for (SkabEvaluation.SeriesResult s : r.series()) {
      double[] sc = s.scores();
      for (int t = 0; t < sc.length; t++) {
        boolean train = t < s.trainRows();
        sb.append(s.key()).append(',').append(t).append(',').append(train ? "train" : "test")
            .append(',').append(String.format(Locale.ROOT, "%.6g,%.6g", sc[t], s.threshold()))
            .append(',');
        if (!train) {
          int i = t - s.trainRows();
          sb.append(s.labels()[i] ? 1 : 0).append(',').append(s.predictions()[i] ? 1 : 0);
        } else {
          sb.append(',');
        }
        sb.append('\n');
      }
    }
    Files.writeString(file, sb, StandardCharsets.UTF_8);
  }

  private static double nanLast(double v) {
    return Double.isNaN(v) ? Double.POSITIVE_INFINITY : v;
  }

  private static double[] toArray(List<Double> v) {
    double[] a = new double[v.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = v.get(i);
    }
    return a;
  }
}
