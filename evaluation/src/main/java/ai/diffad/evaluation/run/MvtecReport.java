package ai.diffad.evaluation.run;

import ai.diffad.config.EngineConfig;
import ai.diffad.evaluation.data.MvtecDataset;
import ai.diffad.evaluation.report.HeatmapGrid;
import ai.diffad.evaluation.report.Plots;
import ai.diffad.evaluation.report.ReportHtml;
import ai.diffad.evaluation.report.ReportJson;
import ai.diffad.evaluation.report.ScoredSet;
import ai.diffad.evaluation.report.ScoresCsv;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.artifact.ModelManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the files of an MVTec evaluation: {@code report.json}, {@code scores.csv} (one row per
 * test image, the baseline's score as an extra column), ROC / PR curves and score histograms,
 * three heatmap grids and {@code report.html} that shows them.
 */
public final class MvtecReport {
  /** The machine-readable report. */
  public static final String JSON = "report.json";
  /** Per-image scores. */
  public static final String CSV = "scores.csv";
  /** The report people read. */
  public static final String HTML = "report.html";
  /** Images per heatmap grid. */
  static final int GRID = 8;

  private MvtecReport() {}

  /**
   * Writes the report files into {@code out}.
   *
   * @param out report folder (created)
   * @param r the evaluation result
   * @param model the model's manifest (fingerprint)
   * @param engine the engine settings used
   * @param options the run settings
   * @param dataset the category folder
   */
  public static void write(Path out, MvtecEvaluation.Result r, ModelManifest model,
      EngineConfig engine, MvtecEvaluation.Options options, Path dataset) throws IOException {
    Files.createDirectories(out);
    boolean[] labels = r.labels();
    List<MvtecDataset.TestItem> items = r.items();

    List<ScoresCsv.Row> rows = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      MvtecDataset.TestItem it = items.get(i);
      rows.add(new ScoresCsv.Row(relative(dataset, it.image()), it.defective(), it.defectType(),
          r.diffad().scores()[i], r.methods().get(1).scores()[i]));
    }
    ScoresCsv.write(out.resolve(CSV), List.of("baseline_score"), rows);

    Map<String, ScoredSet> sets = new LinkedHashMap<>();
    for (MvtecEvaluation.MethodResult m : r.methods()) {
      sets.put(m.name(), new ScoredSet(m.scores(), labels));
    }
    Plots.rocCurve(out.resolve("roc.png"), "ROC, image level", sets);
    Plots.prCurve(out.resolve("pr.png"), "Precision-recall, image level", sets);
    List<ReportHtml.Figure> histograms = new ArrayList<>();
    for (MvtecEvaluation.MethodResult m : r.methods()) {
      String file = "histogram-" + slug(m.name()) + ".png";
      ScoredSet s = sets.get(m.name());
      Plots.scoreHistogram(out.resolve(file), m.name(), s.normalScores(), s.anomalousScores(),
          m.threshold());
      histograms.add(new ReportHtml.Figure(file, m.name() + ": normal vs anomalous scores; "
          + "the line is the threshold fitted on held-out normal images"));
    }
    List<ReportHtml.Figure> grids = heatmapGrids(out, r, dataset);

    Map<String, Object> json = new LinkedHashMap<>();
    json.putAll(figures(r.diffad()));
    Map<String, Object> baselines = new LinkedHashMap<>();
    baselines.put("zscore", figures(r.methods().get(1)));
    json.put("baselines", baselines);
    json.put("f1_max_note", "oracle: threshold chosen on the test labels; f1_at_threshold uses the "
        + "threshold fitted on held-out normal images only");
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", model.name());
    m.put("sha256", model.fingerprint());
    m.put("training_steps", model.training() == null ? null : model.training().steps());
    m.put("training_items", model.training() == null ? null : model.training().items());
    m.put("holdout", model.config().data().holdout());
    json.put("model", m);
    json.put("configuration", engine);
    Map<String, Object> run = new LinkedHashMap<>();
    run.put("dataset", dataset.toString());
    run.put("test_images", items.size());
    run.put("every", options.every());
    run.put("held_out_normal_images", r.heldOut());
    run.put("baseline_fitted_on", r.trainedOn());
    run.put("baseline_side", options.baselineSide());
    run.put("baseline_sigma", options.baselineSigma());
    json.put("run", run);
    Map<String, Object> timings = new LinkedHashMap<>();
    timings.put("scoring_seconds", r.scoringSeconds());
    timings.put("images_per_second", r.imagesPerSecond());
    timings.put("total_seconds", r.seconds());
    json.put("timings", timings);
    ReportJson.write(out.resolve(JSON), json);

    ReportHtml.MetricsTable table = new ReportHtml.MetricsTable()
        .column("image_auroc", "image AUROC")
        .column("pixel_auroc", "pixel AUROC")
        .column("aupro", "AUPRO (FPR <= 0.3)")
        .column("average_precision", "AP")
        .column("f1_at_threshold", "F1 at threshold",
            "threshold fitted on held-out normal images only (" + r.methods().get(0).thresholdSource() + ")")
        .column("f1_max", "F1-max", "oracle: threshold chosen on the test labels");
    for (MvtecEvaluation.MethodResult mr : r.methods()) {
      Map<String, Number> v = new LinkedHashMap<>();
      v.put("image_auroc", mr.summary().auroc());
      v.put("pixel_auroc", mr.pixelAuroc());
      v.put("aupro", mr.aupro());
      v.put("average_precision", mr.summary().averagePrecision());
      v.put("f1_at_threshold", mr.atThreshold().f1());
      v.put("f1_max", mr.summary().f1Max());
      table.row(mr.name(), v);
    }
    List<String> defectHeaders = new ArrayList<>(List.of("defect type"));
    for (MvtecEvaluation.MethodResult mr : r.methods()) {
      defectHeaders.add(mr.name() + " AUROC");
    }
    List<List<Object>> defectRows = new ArrayList<>();
    for (String type : r.diffad().perDefectAuroc().keySet()) {
      List<Object> row = new ArrayList<>(List.of(type));
      for (MvtecEvaluation.MethodResult mr : r.methods()) {
        row.add(String.format("%.3f", mr.perDefectAuroc().get(type)));
      }
      defectRows.add(row);
    }
    List<List<Object>> thresholdRows = new ArrayList<>();
    for (MvtecEvaluation.MethodResult mr : r.methods()) {
      MvtecEvaluation.AtThreshold a = mr.atThreshold();
      thresholdRows.add(List.of(mr.name(), String.format("%.5g", mr.threshold()), a.tp(), a.fp(),
          a.fn(), a.tn(), String.format("%.3f", a.precision()), String.format("%.3f", a.recall())));
    }
    ReportHtml.titled("diffad evaluation: " + dataset.getFileName() + " (" + model.name() + ")")
        .paragraph(items.size() + " test images" + (options.every() > 1
            ? " (every " + options.every() + "th)" : "") + "; " + r.heldOut()
            + " held-out normal images fit the thresholds; scoring " + String.format("%.2f", r.imagesPerSecond())
            + " images/s.")
        .metrics("Results", table)
        .table("AUROC per defect type", defectHeaders, defectRows)
        .table("At the threshold fitted on held-out normal images", List.of("method", "threshold",
            "TP", "FP", "FN", "TN", "precision", "recall"), thresholdRows)
        .image("ROC", "roc.png", "image-level ROC of diffad and the z-score baseline")
        .image("Precision-recall", "pr.png", "image-level precision-recall")
        .images("Score histograms", histograms)
        .images("Heatmaps (diffad)", grids)
        .keyValues("Model", m)
        .keyValues("Engine settings", engineMap(engine))
        .keyValues("Timings", timings)
        .write(out.resolve(HTML));
  }

  private static Map<String, Object> figures(MvtecEvaluation.MethodResult m) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("image_auroc", m.summary().auroc());
    f.put("pixel_auroc", m.pixelAuroc());
    f.put("aupro", m.aupro());
    f.put("f1_max", m.summary().f1Max());
    f.put("average_precision", m.summary().averagePrecision());
    f.put("f1_at_threshold", m.atThreshold().f1());
    f.put("precision_at_threshold", m.atThreshold().precision());
    f.put("recall_at_threshold", m.atThreshold().recall());
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("value", m.threshold());
    t.put("source", m.thresholdSource());
    f.put("threshold", t);
    f.put("per_defect_auroc", m.perDefectAuroc());
    return f;
  }

  /** The engine settings shown in a report (also used by the NAB report). */
  static Map<String, Object> engineMap(EngineConfig e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("t*", e.tStar());
    m.put("noise", e.noise());
    m.put("sampler", e.sampler());
    m.put("steps", e.steps());
    m.put("eta", e.eta());
    m.put("guidance", e.guidance());
    m.put("seeds", e.seeds());
    m.put("map", e.map());
    m.put("smoothing sigma", e.smoothSigma());
    m.put("score", e.score());
    m.put("batch", e.batchSize());
    m.put("tile", e.tileSize());
    return m;
  }

  private static List<ReportHtml.Figure> heatmapGrids(Path out, MvtecEvaluation.Result r,
      Path dataset) throws IOException {
    List<Integer> anomalies = new ArrayList<>();
    List<Integer> normals = new ArrayList<>();
    for (int i = 0; i < r.items().size(); i++) {
      (r.items().get(i).defective() ? anomalies : normals).add(i);
    }
    double[] s = r.diffad().scores();
    List<Integer> topAnomalies = HeatmapGrid.top(anomalies, i -> s[i], GRID);
    List<Integer> bottomAnomalies = HeatmapGrid.bottom(anomalies, i -> s[i], GRID);
    List<Integer> topNormals = HeatmapGrid.top(normals, i -> s[i], GRID);
    // One colour range for all three grids, so that normals do not look hot by normalisation.
    double hi = 0;
    for (List<Integer> picks : List.of(topAnomalies, bottomAnomalies, topNormals)) {
      for (int i : picks) {
        for (float v : r.diffad().maps().get(i)) {
          hi = Math.max(hi, v);
        }
      }
    }
    HeatmapGrid.Options options = HeatmapGrid.Options.defaults().withRange(0, hi > 0 ? hi : 1);
    List<ReportHtml.Figure> figures = new ArrayList<>();
    grid(out, "heatmaps-top-anomalies.png", topAnomalies, r, dataset, figures,
        "highest-scored anomalies (white outline: ground truth)", options);
    grid(out, "heatmaps-bottom-anomalies.png", bottomAnomalies, r, dataset, figures,
        "lowest-scored anomalies: what diffad misses", options);
    grid(out, "heatmaps-top-normals.png", topNormals, r, dataset, figures,
        "highest-scored normal images: what raises false alarms (same colour range in all grids)",
        options);
    return figures;
  }

  private static void grid(Path out, String file, List<Integer> picked, MvtecEvaluation.Result r,
      Path dataset, List<ReportHtml.Figure> figures, String caption, HeatmapGrid.Options options)
      throws IOException {
    if (picked.isEmpty()) {
      return;
    }
    List<HeatmapGrid.Entry> entries = new ArrayList<>();
    for (int i : picked) {
      MvtecDataset.TestItem it = r.items().get(i);
      entries.add(HeatmapGrid.Entry.of(relative(dataset, it.image()), r.diffad().scores()[i],
          r.inputs().get(i), r.diffad().maps().get(i), it.defective() ? r.masks().get(i) : null));
    }
    HeatmapGrid.write(out.resolve(file), entries, options);
    figures.add(new ReportHtml.Figure(file, caption));
  }

  private static String relative(Path root, Path file) {
    try {
      return root.relativize(file).toString();
    } catch (IllegalArgumentException e) {
      return file.toString();
    }
  }

  private static String slug(String name) {
    return name.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
  }
}
