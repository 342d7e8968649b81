package ai.diffad.evaluation.run;

import ai.diffad.config.EngineConfig;
import ai.diffad.evaluation.data.NabDataset.NabSeries;
import ai.diffad.evaluation.metrics.BinaryCounts;
import ai.diffad.evaluation.metrics.NabProfile;
import ai.diffad.evaluation.metrics.NabScorer;
import ai.diffad.evaluation.metrics.SeriesMetrics;
import ai.diffad.evaluation.report.Plots;
import ai.diffad.evaluation.report.ReportHtml;
import ai.diffad.evaluation.report.ReportJson;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.artifact.ModelManifest;
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
 * Writes a NAB evaluation: {@code report.json} (the headline figures under fixed keys, each
 * labelled with how its threshold was chosen, diffad and the model-free baseline),
 * {@code scores.csv} (one row per series and method: NAB counts at the corpus-optimised and at the
 * label-free threshold) and {@code report.html} (the figures of every method in one table, the
 * detector output of a few series with their labelled windows, a histogram of diffad's score
 * inside and outside the windows).
 */
public final class NabReport {
  /** The machine-readable report. */
  public static final String JSON = "report.json";
  /** Per-series results. */
  public static final String CSV = "scores.csv";
  /** The report people read. */
  public static final String HTML = "report.html";
  /** Per-row results of every method in NAB's layout, under the report folder. */
  public static final String RESULTS = "results";
  private static final java.time.format.DateTimeFormatter NAB_TIME =
      java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);
  /** Series whose detector output is plotted. */
  static final int PLOTTED_SERIES = 3;
  /** Header of {@link #CSV}. */
  public static final List<String> CSV_HEADER = List.of("method", "series", "rows",
      "probation_rows", "windows", "label_free_threshold", "optimum_detected", "optimum_missed",
      "optimum_false_positives", "optimum_raw", "label_free_detected", "label_free_missed",
      "label_free_false_positives", "label_free_raw");

  private NabReport() {}

  /**
   * Every method's per-row output in NAB's results layout, {@code dir/<method>/<group>/<method>_
   * <series>.csv} with {@code timestamp, value, anomaly_score, raw_score, label}: anomaly_score is
   * the detector's z (not in NAB's [0, 1]; NAB's own optimiser sweeps [0, 1], {@code evaluate
   * --kind nab --scores-from} any scale), raw_score what it was computed from, label 1 inside a
   * labelled window. {@code --scores-from dir/<method>} scores them again (without the refractory
   * rule, which NAB leaves to each detector, so with refractory 0 it gives the same figures).
   */
  public static void writeResults(Path dir, NabEvaluation.Result r) throws IOException {
    List<NabSeries> corpus = r.corpus();
    for (NabEvaluation.MethodResult mr : r.methods()) {
      if (mr.series().size() != corpus.size()) {
        throw new IllegalArgumentException(mr.series().size() + " results for " + corpus.size()
            + " series");
      }
      for (int i = 0; i < corpus.size(); i++) {
        NabSeries s = corpus.get(i);
        NabEvaluation.SeriesResult sr = mr.series().get(i);
        if (!sr.key().equals(s.key())) {
          throw new IllegalArgumentException(sr.key() + " in place of " + s.key());
        }
        int slash = s.key().lastIndexOf('/');
        Path file = dir.resolve(mr.name()).resolve(s.key().substring(0, slash))
            .resolve(mr.name() + "_" + s.key().substring(slash + 1));
        Files.createDirectories(file.getParent());
        boolean[] label = NabProtocol.labels(s.rows(), s.windows());
        StringBuilder b = new StringBuilder("timestamp,value,anomaly_score,raw_score,label\n");
        for (int t = 0; t < s.rows(); t++) {
          b.append(NAB_TIME.format(s.timestamps()[t])).append(',').append(s.values()[t])
              .append(',').append(sr.scores()[t]).append(',')
              .append(sr.raw() == null ? "" : Double.toString(sr.raw()[t])).append(',')
              .append(label[t] ? 1 : 0).append('\n');
        }
        Files.writeString(file, b, StandardCharsets.UTF_8);
      }
    }
  }

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
    m.put("sha256", model.fingerprint());
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
    writeResults(out.resolve(RESULTS), r);

    html(out, r, model, engine, m, run, timings);
  }

  /** Writes {@link #HTML} and its plots. */
  private static void html(Path out, NabEvaluation.Result r, ModelManifest model,
      EngineConfig engine, Map<String, Object> modelMap, Map<String, Object> run,
      Map<String, Object> timings) throws IOException {
    NabEvaluation.Options o = r.options();
    String pointAdjusted = SeriesMetrics.POINT_ADJUSTED + " (a window counts as found when any "
        + "row in it is flagged), at the label-free thresholds; not comparable with point-wise "
        + "figures";
    ReportHtml.MetricsTable table = new ReportHtml.MetricsTable()
        .column("nab_standard", "NAB standard", NabEvaluation.NAB_PROTOCOL)
        .column("nab_reward_low_fp_rate", "NAB reward low FP", NabEvaluation.NAB_PROTOCOL)
        .column("nab_reward_low_fn_rate", "NAB reward low FN", NabEvaluation.NAB_PROTOCOL)
        .column("nab_label_free", "NAB standard, label-free", o.labelFreeRule())
        .column("pointwise_best_f1_oracle", "point-wise best F1",
            "oracle: one corpus-wide threshold chosen on the test labels")
        .column("point_adjusted_f1", "point-adjusted F1", pointAdjusted)
        .note("the detector settings (options below) were chosen by the NAB score on this "
            + "corpus, as NAB entrants' parameters are");
    for (NabEvaluation.MethodResult mr : r.methods()) {
      String note = switch (mr.name()) {
        case NabEvaluation.BASELINE -> "the same detector on |value| after probationary "
            + "normalisation, without any model";
        case NabEvaluation.FUSION -> "per row the larger of diffad's and the baseline's z-score, "
            + "then the same rule";
        default -> null;
      };
      table.row(mr.name(), note, metricRow(mr));
    }
    List<List<Object>> windowRows = new ArrayList<>();
    for (NabEvaluation.MethodResult mr : r.methods()) {
      int[] opt = mr.counts(false);
      int[] free = mr.counts(true);
      windowRows.add(List.of(mr.name(), String.format(Locale.ROOT, "%.4g",
          mr.standard().threshold()), opt[0], opt[1], opt[2], free[0], free[1], free[2]));
    }

    NabEvaluation.MethodResult d = r.diffad();
    double threshold = d.standard().threshold();
    List<ReportHtml.Figure> timelines = new ArrayList<>();
    List<NabEvaluation.SeriesResult> picked = new ArrayList<>(d.series());
    picked.sort(Comparator.comparingInt((NabEvaluation.SeriesResult s) -> -s.windows().size())
        .thenComparing(NabEvaluation.SeriesResult::key));
    picked = picked.subList(0, Math.min(PLOTTED_SERIES, picked.size()));
    for (int i = 0; i < picked.size(); i++) {
      NabEvaluation.SeriesResult s = picked.get(i);
      String file = "series-" + (i + 1) + "-" + SeriesPlots.slug(s.key()) + ".png";
      Map<String, Double> levels = new LinkedHashMap<>();
      levels.put(String.format(Locale.ROOT, "corpus threshold %.3g (NAB standard)", threshold),
          threshold);
      levels.put(String.format(Locale.ROOT, "label-free threshold %.3g",
          s.labelFreeThreshold()), s.labelFreeThreshold());
      SeriesPlots.timeline(out.resolve(file), s.key(), "diffad z", s.scores(),
          NabEvaluation.labels(s.rows(), s.windows()), "labelled windows", levels,
          Map.of("end of probation", s.probationRows()),
          s.alarms(threshold, o.refractory()), "alarms at the corpus threshold");
      NabScorer.SeriesScore sc = s.atCorpusThreshold();
      timelines.add(new ReportHtml.Figure(file, String.format(Locale.ROOT,
          "%s: diffad's detector output (z) per row, labelled windows shaded; at the corpus "
              + "threshold %d of %d windows detected, %d false positives; rows before %d are "
              + "probationary (not scored)", s.key(), sc.detectedWindows(), s.windows().size(),
          sc.falsePositives(), s.probationRows())));
    }

    List<Double> inside = new ArrayList<>();
    List<Double> outside = new ArrayList<>();
    for (NabEvaluation.SeriesResult s : d.series()) {
      boolean[] lab = NabEvaluation.labels(s.rows(), s.windows());
      for (int t = s.probationRows(); t < s.rows(); t++) {
        (lab[t] ? inside : outside).add(s.scores()[t]);
      }
    }
    double[][] clipped = SeriesPlots.clipped(toArray(outside), toArray(inside), 0.001);
    String histogram = "histogram-diffad.png";
    Plots.scoreHistogram(out.resolve(histogram), "diffad z, scored rows", clipped[0],
        clipped[1], threshold);

    Map<String, Object> options = new LinkedHashMap<>();
    options.put("scoring", o.scoring() == NabEvaluation.Scoring.CAUSAL
        ? "causal (row t uses rows up to t only)" : "windowed (looks ahead; not NAB-valid)");
    options.put("causal stride (rows)", o.causalStride());
    options.put("causal tail (positions)", o.causalTail());
    options.put("smoothing (rows)", o.smoothing());
    options.put("z-score history (rows)", o.history());
    options.put("refractory period (rows)", o.refractory());
    options.put("label-free rule", o.labelFreeRule());
    options.put("online learning", o.online() == null ? "none (the shared model as trained)"
        : String.format(java.util.Locale.ROOT, "per series, from the end of probation and then"
            + " every %d rows: %d AdamW steps (batch %d, lr %.2g) on its last %d rows, served"
            + " weights a moving average of decay %.2g",
            o.online().every(), o.online().steps(), o.online().batchSize(),
            o.online().learningRate(), o.online().history(), o.online().ema()));
    int windows = (int) run.get("labelled_windows");
    ReportHtml.titled("diffad evaluation: NAB (" + model.name() + ")")
        .paragraph(d.series().size() + " series, " + windows + " labelled windows. One shared "
            + "1-D model for all series, trained on each series' probationary part only. "
            + (o.scoring() == NabEvaluation.Scoring.CAUSAL
                ? "Causal scoring: the score of row t uses rows up to t only, as NAB requires. "
                : "Windowed scoring: scores look up to one window ahead, which NAB does not "
                    + "allow; these figures are not NAB-valid. ")
            + "The reconstruction error is smoothed and z-scored against the past; an alarm is "
            + "raised when z reaches the threshold, at most one per refractory period. NAB "
            + "figures use one threshold per profile optimised over the whole corpus, as NAB "
            + "does for every scoreboard entry; the label-free figure uses per-series thresholds "
            + "fixed without labels.")
        .metrics("Scores", table)
        .table("Windows (standard profile)", List.of("method", "corpus threshold (z)",
            "detected", "missed", "false positives", "label-free: detected",
            "label-free: missed", "label-free: false positives"), windowRows)
        .images("Detector output (diffad)", timelines)
        .image("Score histogram (diffad)", histogram, String.format(Locale.ROOT,
            "diffad's z on the scored rows inside (%d) and outside (%d) labelled windows, each "
                + "as a share of its rows; the line is the corpus threshold; values beyond the "
                + "0.1 %% and 99.9 %% quantiles are counted in the end bins", inside.size(),
            outside.size()))
        .keyValues("Detector options", options)
        .keyValues("Model", modelMap)
        .keyValues("Engine settings", MvtecReport.engineMap(engine))
        .keyValues("Run", run)
        .keyValues("Timings", timings)
        .write(out.resolve(HTML));
  }

  /** One method's row of the HTML metrics table. */
  static Map<String, Double> metricRow(NabEvaluation.MethodResult mr) {
    Map<String, Double> v = new LinkedHashMap<>();
    v.put("nab_standard", mr.standard().normalised());
    v.put("nab_reward_low_fp_rate", mr.profiles().get(NabProfile.REWARD_LOW_FP.name())
        .normalised());
    v.put("nab_reward_low_fn_rate", mr.profiles().get(NabProfile.REWARD_LOW_FN.name())
        .normalised());
    v.put("nab_label_free", mr.nabLabelFree());
    v.put("pointwise_best_f1_oracle", mr.pointwiseBestF1Oracle());
    v.put("point_adjusted_f1", mr.pointAdjustedF1());
    return v;
  }

  private static double[] toArray(List<Double> v) {
    double[] a = new double[v.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = v.get(i);
    }
    return a;
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
