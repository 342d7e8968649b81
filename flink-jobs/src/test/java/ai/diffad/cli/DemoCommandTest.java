package ai.diffad.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.diffad.denoise.record.JsonLines;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo end to end with a small set (32x32 images) and a tiny training budget: its summary is
 * checked against the job's output files and the truth file, recomputed here.
 */
class DemoCommandTest {
  @TempDir Path dir;

  private static final Pattern COUNTS = Pattern.compile(
      "^diffad demo: (\\d+) files dropped into \\S+ over [0-9.]+ s: scored (\\d+), rejected (\\d+), flagged (\\d+)$");
  private static final Pattern QUALITY = Pattern.compile(
      "^diffad demo: precision (n/a|[0-9.]+) \\((\\d+) of (\\d+) flagged have a pasted defect\\), recall"
          + " (n/a|[0-9.]+) \\((\\d+) of (\\d+) pasted defects flagged\\)$");
  private static final Pattern TOP = Pattern.compile(
      "^  (\\d)\\. ([0-9.]+)  (yes|no ) +(\\S+)  (\\S+) +(\\S+)$");

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void theDemoStreamsTheSetStopsByItselfAndItsSummaryMatchesTheRecordsAndTheTruth() throws Exception {
    Path out = dir.resolve("demo");
    CliTest.Run r = CliTest.run("demo", "--out", out.toString(), "--images", "12", "--train-steps", "30",
        "--size", "32", "--drop-interval", "0.2");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err()).contains("demo [1/5]", "demo [2/5] training a small model", "demo [3/5]",
        "demo [4/5]", "demo [5/5]", "running locally; Flink web UI: http://localhost:", "idle for 4.0 s");
    checkSummary(r, out, 12);

    // A second run reuses the model, and starts from empty folders (nothing of the first run counts).
    r = CliTest.run("demo", "--out", out.toString(), "--images", "8", "--train-steps", "30",
        "--size", "32", "--drop-interval", "0.2");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err()).contains("demo [2/5] reusing the model trained by an earlier run");
    checkSummary(r, out, 8);
  }

  private static void checkSummary(CliTest.Run r, Path out, int images) throws Exception {
    List<String> lines = r.lines();
    Matcher counts = find(lines, COUNTS);
    int dropped = Integer.parseInt(counts.group(1));
    int scored = Integer.parseInt(counts.group(2));
    int rejected = Integer.parseInt(counts.group(3));
    int flagged = Integer.parseInt(counts.group(4));
    assertThat(dropped).as("the images and the two bad files").isEqualTo(images + 2);
    assertThat(scored + rejected).isEqualTo(dropped);

    // Recompute everything from the files the job and the generator wrote.
    Path results = out.resolve("results");
    List<JsonNode> records = read(results.resolve("scores.jsonl"));
    List<JsonNode> rejections = read(results.resolve("rejected.jsonl"));
    Map<String, String> truth = new HashMap<>();
    List<String> csv = Files.readAllLines(out.resolve("inspection/truth.csv"));
    assertThat(csv.get(0)).isEqualTo("file,defect,x,y,width,height,pixels");
    for (String line : csv.subList(1, csv.size())) {
      String[] f = line.split(",", -1);
      truth.put(f[0], f[1]);
    }
    assertThat(truth).hasSize(images);
    assertThat(records).hasSize(scored);
    assertThat(rejections).hasSize(rejected).hasSize(2);
    assertThat(rejections.stream().map(n -> n.get("id").asText() + " " + n.get("reason").asText()))
        .containsExactlyInAnyOrder("cam1/img-empty.png EMPTY", "cam2/notes.png DECODE_FAILED");
    int tp = 0;
    int anomalous = 0;
    for (JsonNode n : records) {
      assertThat(truth).containsKey(n.get("id").asText());
      assertThat(n.hasNonNull("anomalous")).as("calibrated: " + n).isTrue();
      if (n.get("anomalous").asBoolean()) {
        anomalous++;
        tp += truth.get(n.get("id").asText()).equals("none") ? 0 : 1;
      }
    }
    long defects = truth.values().stream().filter(k -> !k.equals("none")).count();
    assertThat(defects).isEqualTo(Math.round(images * 0.25));
    assertThat(flagged).isEqualTo(anomalous);

    Matcher q = find(lines, QUALITY);
    assertThat(q.group(1)).isEqualTo(ratio(tp, anomalous));
    assertThat(Integer.parseInt(q.group(2))).isEqualTo(tp);
    assertThat(Integer.parseInt(q.group(3))).isEqualTo(anomalous);
    assertThat(q.group(4)).isEqualTo(ratio(tp, (int) defects));
    assertThat(Integer.parseInt(q.group(5))).isEqualTo(tp);
    assertThat(Integer.parseInt(q.group(6))).isEqualTo(defects);

    // The five highest scores, in order, each with its heatmap on disk.
    List<JsonNode> sorted = new ArrayList<>(records);
    sorted.sort((a, b) -> Double.compare(b.get("score").asDouble(), a.get("score").asDouble()));
    List<Matcher> top = new ArrayList<>();
    for (String line : lines) {
      Matcher m = TOP.matcher(line);
      if (m.matches()) {
        top.add(m);
      }
    }
    assertThat(top).hasSize(5);
    for (int i = 0; i < 5; i++) {
      Matcher m = top.get(i);
      JsonNode rec = sorted.get(i);
      assertThat(Integer.parseInt(m.group(1))).isEqualTo(i + 1);
      assertThat(Double.parseDouble(m.group(2))).isCloseTo(rec.get("score").asDouble(),
          org.assertj.core.data.Offset.offset(1e-4));
      assertThat(m.group(3).trim()).isEqualTo(rec.get("anomalous").asBoolean() ? "yes" : "no");
      assertThat(m.group(4)).isEqualTo(rec.get("id").asText());
      assertThat(m.group(5)).isEqualTo(truth.get(rec.get("id").asText()));
      Path heatmap = Path.of(m.group(6));
      assertThat(heatmap).isRegularFile();
      assertThat(heatmap.toAbsolutePath().normalize())
          .isEqualTo(Path.of(rec.get("outputs").get("overlay").asText()).toAbsolutePath().normalize());
    }
    assertThat(r.out()).contains("diffad demo: Flink web UI was http://localhost:");
    assertThat(Files.readAllLines(out.resolve("summary.txt"))).isEqualTo(lines);
  }

  private static String ratio(int num, int den) {
    return den == 0 ? "n/a" : String.format(Locale.ROOT, "%.3f", (double) num / den);
  }

  private static Matcher find(List<String> lines, Pattern p) {
    for (String line : lines) {
      Matcher m = p.matcher(line);
      if (m.matches()) {
        return m;
      }
    }
    throw new AssertionError("no line matches " + p + " in:\n" + String.join("\n", lines));
  }

  private static List<JsonNode> read(Path file) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      if (!line.isBlank()) {
        out.add(JsonLines.mapper().readTree(line));
      }
    }
    return out;
  }

  @Test
  void badOptionsAreUsageErrorsNamingTheOption() {
    CliTest.Run r = CliTest.run("demo", "--out", dir.resolve("x").toString(), "--images", "2");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--images: must be in [4, 100000], got 2");
    r = CliTest.run("demo", "--out", dir.resolve("x").toString(), "--size", "16");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--size: must be in [32, 1024], got 16");
    assertThat(dir.resolve("x")).doesNotExist();
  }
}
