package ai.diffad.cli.demo;

import ai.diffad.denoise.calibrate.Calibration;
import ai.diffad.denoise.record.JsonLines;
import ai.diffad.denoise.run.ScoreRun;
import ai.diffad.flink.StreamJob;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Phase 5: what the job wrote (scores.jsonl, rejected.jsonl, alerts.jsonl under its results
 * folder, read with {@link JsonLines#readNodes}) against the truth of the set: counts, precision and
 * recall of the {@code anomalous} flags, the score ranges of normal and defective images, alerts,
 * and the highest scores with their heatmaps.
 */
public final class DemoSummary {
  /** How many of the highest scores are listed. */
  static final int TOP = 5;

  /** One scored record: its id, score, flag (null if uncalibrated) and heatmap (null if none). */
  record Scored(String id, double score, Boolean anomalous, String overlay) {}

  private final Path results;
  private final DemoData data;
  private final List<Scored> scored = new ArrayList<>();
  private final Map<String, String> rejected = new LinkedHashMap<>(); // id -> reason
  private final int alerts;
  private int flagged;
  private int truePositives;
  private int unflaggable;
  private final double[] normalRange = {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
  private final double[] defectRange = {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};

  private DemoSummary(Path results, DemoData data) throws IOException {
    this.results = results;
    this.data = data;
    for (JsonNode n : JsonLines.readNodes(results.resolve(ScoreRun.SCORES))) {
      JsonNode a = n.get("anomalous");
      JsonNode outs = n.get("outputs");
      scored.add(new Scored(n.get("id").asText(), n.get("score").asDouble(),
          a == null || a.isNull() ? null : a.asBoolean(),
          outs != null && outs.hasNonNull("overlay") ? outs.get("overlay").asText() : null));
    }
    for (JsonNode n : JsonLines.readNodes(results.resolve(ScoreRun.REJECTED))) {
      rejected.put(n.get("id").asText(), n.path("reason").asText("?"));
    }
    alerts = JsonLines.readNodes(results.resolve(StreamJob.ALERTS)).size();
    for (Scored s : scored) {
      boolean defective = data.defective(s.id());
      if (s.anomalous() == null) {
        unflaggable++;
      } else if (s.anomalous()) {
        flagged++;
        truePositives += defective ? 1 : 0;
      }
      double[] r = defective ? defectRange : normalRange;
      r[0] = Math.min(r[0], s.score());
      r[1] = Math.max(r[1], s.score());
    }
  }

  /** Reads the job's output in {@code results} and compares it with the truth of {@code data}. */
  public static DemoSummary read(Path results, DemoData data) throws IOException {
    return new DemoSummary(results, data);
  }

  public int scored() {
    return scored.size();
  }

  public int rejected() {
    return rejected.size();
  }

  public int flagged() {
    return flagged;
  }

  public int truePositives() {
    return truePositives;
  }

  public int alerts() {
    return alerts;
  }

  /** Share of the flagged images that have a pasted defect; empty if none is flagged. */
  public OptionalDouble precision() {
    return flagged == 0 ? OptionalDouble.empty() : OptionalDouble.of((double) truePositives / flagged);
  }

  /** Share of the pasted defects that are flagged; empty if there are none. */
  public OptionalDouble recall() {
    int defects = data.defects();
    return defects == 0 ? OptionalDouble.empty() : OptionalDouble.of((double) truePositives / defects);
  }

  /**
   * The summary lines ({@link DemoLog#PREFIX}...): counts, precision and recall, threshold and
   * score ranges, alerts, rejections, warnings, the top scores, where things are, and the time of
   * the whole run ({@code totalSeconds}) and of each phase.
   */
  public List<String> lines(DemoStream.Run run, Calibration cal, Path incoming, Map<String, Double> phaseSeconds,
      double totalSeconds) {
    String p = DemoLog.PREFIX;
    int defects = data.defects();
    List<String> out = new ArrayList<>();
    out.add(String.format(Locale.ROOT, "%s%d files dropped into %s over %.1f s: scored %d, rejected %d,"
        + " flagged %d", p, run.dropped(), DemoLog.show(incoming), run.feedSeconds(), scored.size(),
        rejected.size(), flagged));
    out.add(String.format(Locale.ROOT, "%sprecision %s (%d of %d flagged have a pasted defect), recall %s"
        + " (%d of %d pasted defects flagged)", p, ratio(precision()), truePositives, flagged,
        ratio(recall()), truePositives, defects));
    out.add(String.format(Locale.ROOT, "%sthreshold %.4f: the %.2f quantile of %d held-out normal scores"
        + " (max %.4f); scores of normal images %s, of defective ones %s", p, cal.threshold(),
        DemoCalibration.QUANTILE, cal.normalScores().count(), cal.normalScores().max(), range(normalRange),
        range(defectRange)));
    out.add(String.format(Locale.ROOT, "%s%d alert(s) (3 flagged images of one camera within 60 s) in %s",
        p, alerts, DemoLog.show(results.resolve(StreamJob.ALERTS))));
    if (!rejected.isEmpty()) {
      StringBuilder sb = new StringBuilder(p + "rejected:");
      rejected.forEach((id, reason) -> sb.append(' ').append(id).append(" (").append(reason).append(')'));
      out.add(sb.toString());
    }
    int missing = run.dropped() - scored.size() - rejected.size();
    if (missing != 0) {
      out.add(p + "warning: " + missing + " dropped file(s) have no record (the job stopped before"
          + " taking them in)");
    }
    if (unflaggable > 0) {
      out.add(p + "warning: " + unflaggable + " record(s) carry no anomalous flag (calibration not"
          + " applied)");
    }
    List<Scored> top = new ArrayList<>(scored);
    top.sort(Comparator.comparingDouble(Scored::score).reversed().thenComparing(Scored::id));
    top = top.subList(0, Math.min(TOP, top.size()));
    out.add(p + "top " + top.size() + " scores (rank, score, flagged, image, pasted defect, heatmap):");
    for (int i = 0; i < top.size(); i++) {
      Scored s = top.get(i);
      out.add(String.format(Locale.ROOT, "  %d. %.4f  %-3s  %s  %-11s  %s", i + 1, s.score(),
          Boolean.TRUE.equals(s.anomalous()) ? "yes" : "no", s.id(), data.truth().getOrDefault(s.id(), "?"),
          s.overlay() == null ? "(no heatmap)" : DemoLog.show(Path.of(s.overlay()))));
    }
    out.add(p + "Flink web UI was " + (run.webUi() == null ? "(not reported)" : run.webUi())
        + (run.dashboard() == null ? "" : " and the dashboard " + run.dashboard())
        + " while the job ran; results in " + DemoLog.show(results) + ", truth in "
        + DemoLog.show(data.truthCsv()));
    StringBuilder phases = new StringBuilder();
    phaseSeconds.forEach((k, v) -> phases.append(phases.length() == 0 ? "" : ", ")
        .append(k).append(' ').append(DemoLog.duration(v)));
    out.add(p + "done in " + DemoLog.duration(totalSeconds) + " (" + phases + ")");
    return out;
  }

  private static String range(double[] r) {
    return r[0] > r[1] ? "(none)" : String.format(Locale.ROOT, "%.4f-%.4f", r[0], r[1]);
  }

  private static String ratio(OptionalDouble r) {
    return r.isEmpty() ? "n/a" : String.format(Locale.ROOT, "%.3f", r.getAsDouble());
  }
}
