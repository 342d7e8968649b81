package ai.diffad.evaluation.run;

import ai.diffad.evaluation.data.NabDataset.NabSeries;
import ai.diffad.evaluation.metrics.NabProfile;
import ai.diffad.evaluation.metrics.NabScorer;
import ai.diffad.evaluation.report.ReportHtml;
import ai.diffad.evaluation.report.ReportJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes the NAB evaluation of a detector's results folder ({@link NabResultsEvaluation}) as the
 * model's NAB evaluation is written ({@link NabReport}): {@code report.json} with the NAB figures
 * under the same keys ({@code nab_standard}, {@code nab_standard_threshold},
 * {@code nab_reward_low_fp_rate}, {@code nab_reward_low_fn_rate}, {@code windows_at_optimum}),
 * {@code scores.csv} (one row per profile and series) and {@code report.html}.
 */
public final class NabResultsReport {
  /** Header of {@link NabReport#CSV}. */
  public static final List<String> CSV_HEADER = List.of("profile", "series", "rows",
      "probation_rows", "windows", "threshold", "detected", "missed", "false_positives", "raw");

  private NabResultsReport() {}

  /** How the thresholds were chosen, in words. */
  public static String thresholdRule(NabResultsEvaluation.Result r) {
    return r.standard().optimised()
        ? "NAB protocol: one threshold per profile optimised over the corpus (on the test labels)"
        : "one given threshold for every profile";
  }

  /**
   * Writes the report files into {@code out}.
   *
   * @param out report folder (created)
   * @param r the evaluation
   * @param dataset the NAB root
   * @param scores the detector's results folder
   */
  public static void write(Path out, NabResultsEvaluation.Result r, Path dataset, Path scores)
      throws IOException {
    Files.createDirectories(out);
    Map<String, Object> json = new LinkedHashMap<>();
    NabResultsEvaluation.ProfileResult std = r.standard();
    json.put("nab_standard", std.normalised());
    json.put("nab_standard_threshold", std.threshold());
    json.put("nab_standard_protocol", thresholdRule(r));
    json.put("nab_reward_low_fp_rate", r.profiles().get(NabProfile.REWARD_LOW_FP.name())
        .normalised());
    json.put("nab_reward_low_fn_rate", r.profiles().get(NabProfile.REWARD_LOW_FN.name())
        .normalised());
    int[] c = std.counts();
    json.put("windows_at_optimum", Map.of("detected", c[0], "missed", c[1],
        "false_positives", c[2]));
    Map<String, Object> profiles = new LinkedHashMap<>();
    for (NabResultsEvaluation.ProfileResult p : r.profiles().values()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("normalised", p.normalised());
      m.put("raw", p.raw());
      m.put("threshold", p.threshold());
      m.put("threshold_optimised", p.optimised());
      int[] k = p.counts();
      m.put("windows", Map.of("detected", k[0], "missed", k[1], "false_positives", k[2]));
      profiles.put(p.profile().name(), m);
    }
    json.put("profiles", profiles);
    json.put("notes", List.of(
        "the detector's anomaly_score per row, taken as it is: rows with score >= threshold are "
            + "detections (no refractory rule), scored with NAB's rules (nab/sweeper.py)",
        "normalised: 100 (raw - null) / (perfect - null), null = no detection, perfect = every "
            + "window detected at its start, over the whole corpus"));
    Map<String, Object> run = new LinkedHashMap<>();
    run.put("dataset", dataset.toString());
    run.put("scores_from", scores.toString());
    run.put("series", r.corpus().size());
    run.put("labelled_windows", r.corpus().stream().mapToInt(s -> s.windows().size()).sum());
    json.put("run", run);
    json.put("timings", Map.of("total_seconds", r.seconds()));
    ReportJson.write(out.resolve(NabReport.JSON), json);

    StringBuilder csv = new StringBuilder(String.join(",", CSV_HEADER)).append('\n');
    NabScorer probation = NabScorer.standard();
    for (NabResultsEvaluation.ProfileResult p : r.profiles().values()) {
      for (int i = 0; i < r.corpus().size(); i++) {
        NabSeries s = r.corpus().get(i);
        NabScorer.SeriesScore sc = p.series().get(i);
        csv.append(String.format(Locale.ROOT, "%s,%s,%d,%d,%d,%s,%d,%d,%d,%s%n",
            p.profile().name(), s.key(), s.rows(), NabProtocol.probationRows(probation, s.rows()),
            s.windows().size(), Double.toString(p.threshold()), sc.detectedWindows(),
            sc.missedWindows(), sc.falsePositives(), Double.toString(sc.raw())));
      }
    }
    Files.writeString(out.resolve(NabReport.CSV), csv, StandardCharsets.UTF_8);

    List<List<Object>> rows = new ArrayList<>();
    for (NabResultsEvaluation.ProfileResult p : r.profiles().values()) {
      int[] k = p.counts();
      rows.add(List.of(p.profile().name(), String.format(Locale.ROOT, "%.2f", p.normalised()),
          String.format(Locale.ROOT, "%.4f", p.raw()), String.valueOf(p.threshold()), k[0], k[1],
          k[2]));
    }
    ReportHtml.titled("diffad evaluation: NAB, scores from " + scores.getFileName())
        .paragraph(r.corpus().size() + " series, " + run.get("labelled_windows")
            + " labelled windows. The detector's anomaly_score per row is scored with NAB's rules"
            + " (rows with score >= threshold are detections); " + thresholdRule(r) + ".")
        .table("NAB scores", List.of("profile", "NAB score", "raw", "threshold", "detected",
            "missed", "false positives"), rows)
        .keyValues("Run", run)
        .write(out.resolve(NabReport.HTML));
  }
}
