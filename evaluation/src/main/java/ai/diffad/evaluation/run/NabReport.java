package ai.diffad.evaluation.run;

import ai.diffad.config.EngineConfig;
import ai.diffad.evaluation.metrics.BinaryCounts;
import ai.diffad.evaluation.metrics.NabScorer;
import ai.diffad.evaluation.metrics.SeriesMetrics;
import ai.diffad.evaluation.report.ReportJson;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.artifact.ModelManifest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a NAB evaluation: {@code report.json} (the headline figures under fixed keys, each
 * labelled with how its threshold was chosen, diffad and the model-free baseline) and
 * {@code scores.csv} (one row per series and method: NAB counts at the corpus-optimised and at the
 * label-free threshold).
 */
public final class NabReport {
  /** The machine-readable report. */
  public static final String JSON = "report.json";
  /** Per-series results. */
  public static final String CSV = "scores.csv";
  /** Header of {@link #CSV}. */
  public static final List<String> CSV_HEADER = List.of("method", "series", "rows",
      "probation_rows", "windows", "label_free_threshold", "optimum_detected", "optimum_missed",
      "optimum_false_positives", "optimum_raw", "label_free_detected", "label_free_missed",
      "label_free_false_positives", "label_free_raw");

  private NabReport() {}

  /**
   * Writes the report files into {@code out}.
   *
   * @param out report folder (created)
   * @param r the evaluation result
   * @param model the model's manifest
   * @param engine the engine settings used
   * @param dataset the NAB root
   */
  public static void write(Path out, NabEvaluation.Result r, ModelManifest model,
      EngineConfig engine, Path dataset) throws IOException {
    Files.createDirectories(out);
    Map<String, Object> json = new LinkedHashMap<>(figures(r.diffad(), r.options()));
    json.put("model_layout", "one shared 1-D model for all " + r.diffad().series().size()
        + " series, trained on each series' probationary part only, each series normalised by "
        + "its own probationary mean and standard deviation");
    json.put("scoring", r.options().scoring() == NabEvaluation.Scoring.CAUSAL
        ? "causal: the score of row t uses rows up to t only (NAB's rule)"
        : "windowed: scores look up to one window ahead; not a valid NAB detector");
    json.put("baselines", Map.of(NabEvaluation.BASELINE, figures(r.baseline(), r.options())));
    json.put("baseline_note", "the same detector (smoothing, rolling z-score, refractory period, "
        + "thresholds) on |value| after probationary normalisation, without any model");
    json.put("fusion", Map.of(NabEvaluation.FUSION, figures(r.fusion(), r.options())));
    json.put("fusion_note", "per row the larger of diffad's and the baseline's z-score, then the "
        + "same rule; the top-level figures are diffad's reconstruction error alone");
    json.put("notes", List.of(
        "nab_standard, nab_reward_low_fp_rate, nab_reward_low_fn_rate: " + NabEvaluation.NAB_PROTOCOL
            + " - the standard NAB procedure",
        "nab_label_free: per-series thresholds fixed without labels (label_free_rule)",
        "pointwise_best_f1_oracle: threshold chosen on the test labels",
        "point_adjusted_*: " + SeriesMetrics.POINT_ADJUSTED + " (a window counts as found when "
            + "any row in it is flagged); not comparable with point-wise figures",
        "the detector settings (options) were chosen by the NAB score on this corpus, as NAB "
            + "entrants' parameters are"));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", model.name());
    m.put("sha256", model.files().get(ModelArtifact.WEIGHTS));
    m.put("training_steps", model.training() == null ? null : model.training().steps());
    m.put("training_items", model.training() == null ? null : model.training().items());
    m.put("window", model.config().data().size());
    json.put("model", m);
    json.put("options", r.options());
    json.put("configuration", engine);
    Map<String, Object> run = new LinkedHashMap<>();
    run.put("dataset", dataset.toString());
    run.put("series", r.diffad().series().size());
    int windows = 0;
    for (NabEvaluation.SeriesResult s : r.diffad().series()) {
      windows += s.windows().size();
    }
    run.put("labelled_windows", windows);
    json.put("run", run);
    Map<String, Object> timings = new LinkedHashMap<>();
    timings.put("scoring_seconds", r.scoringSeconds());
    timings.put("total_seconds", r.seconds());
    json.put("timings", timings);
    ReportJson.write(out.resolve(JSON), json);

    StringBuilder csv = new StringBuilder(String.join(",", CSV_HEADER)).append('\n');
    for (NabEvaluation.MethodResult mr : r.methods()) {
      for (NabEvaluation.SeriesResult s : mr.series()) {
        NabScorer.SeriesScore o = s.atCorpusThreshold();
        NabScorer.SeriesScore f = s.atLabelFree();
        csv.append(String.format(Locale.ROOT, "%s,%s,%d,%d,%d,%.6g,%d,%d,%d,%.6g,%d,%d,%d,%.6g%n",
            mr.name(), s.key(), s.rows(), s.probationRows(), s.windows().size(),
            s.labelFreeThreshold(), o.detectedWindows(), o.missedWindows(), o.falsePositives(),
            o.raw(), f.detectedWindows(), f.missedWindows(), f.falsePositives(), f.raw()));
      }
    }
    Files.writeString(out.resolve(CSV), csv, StandardCharsets.UTF_8);
  }

  /** The headline figures of one method under the report's keys. */
  static Map<String, Object> figures(NabEvaluation.MethodResult mr,
      NabEvaluation.Options options) {
    Map<String, Object> f = new LinkedHashMap<>();
    NabScorer.Optimum std = mr.standard();
    f.put("nab_standard", std.normalised());
    f.put("nab_standard_threshold", std.threshold());
    f.put("nab_standard_protocol", NabEvaluation.NAB_PROTOCOL);
    f.put("nab_reward_low_fp_rate", mr.profiles().get("reward_low_FP_rate").normalised());
    f.put("nab_reward_low_fn_rate", mr.profiles().get("reward_low_FN_rate").normalised());
    f.put("nab_label_free", mr.nabLabelFree());
    f.put("label_free_rule", options.labelFreeRule());
    f.put("pointwise_best_f1_oracle", mr.pointwiseBestF1Oracle());
    f.put("pointwise_f1_label_free", mr.pointwiseLabelFree().f1());
    f.put("point_adjusted_f1", mr.pointAdjustedF1());
    f.put("point_adjusted_f1_label", SeriesMetrics.POINT_ADJUSTED
        + ", at the label-free thresholds");
    f.put("point_adjusted_best_f1_oracle", mr.pointAdjustedBestF1Oracle());
    int[] opt = mr.counts(false);
    int[] free = mr.counts(true);
    f.put("windows_at_optimum", Map.of("detected", opt[0], "missed", opt[1],
        "false_positives", opt[2]));
    f.put("windows_label_free", Map.of("detected", free[0], "missed", free[1],
        "false_positives", free[2]));
    BinaryCounts pw = mr.pointwiseLabelFree();
    f.put("pointwise_counts_label_free", Map.of("tp", pw.tp(), "fp", pw.fp(), "fn", pw.fn(),
        "tn", pw.tn()));
    return f;
  }
}
