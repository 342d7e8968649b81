package ai.diffad.evaluation.run;

import ai.diffad.config.DiffadConfig;
import ai.diffad.evaluation.metrics.BinaryCounts;
import ai.diffad.evaluation.metrics.SeriesMetrics;
import ai.diffad.evaluation.report.ReportJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a SKAB evaluation: {@code report.json} (F1, FAR, MAR over all test parts, the threshold
 * rule, per-series F1, the point-adjusted and oracle figures under their own labels) and
 * {@code scores.csv} (one row per series).
 */
public final class SkabReport {
  /** The machine-readable report. */
  public static final String JSON = "report.json";
  /** Per-series results. */
  public static final String CSV = "scores.csv";
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
  }
}
