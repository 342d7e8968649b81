package ai.diffad.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code diffad evaluate --kind nab --scores-from DIR}: a detector's results folder in NAB's
 * layout scored against the NAB labels.
 *
 * <p>The synthetic corpus: three series of 100 rows (probation floor(0.15 * 100) = 15 rows), group
 * g. a: window rows [60, 69], score 0.9 at row 60 (the window start: +A_TP = 1) and 0.5 at row 80
 * (a false positive after the window). b: no window, score 1.0 at row 5 (probationary: ignored)
 * and 0.7 at row 50 (a false positive before any window: -A_FP). c: window [40, 49], score 0.95
 * at row 45: position -(49 - 45 + 1) / 10 = -0.5, scaledSigmoid(-0.5) / scaledSigmoid(-1) =
 * 0.84828364 / 0.98661430 = 0.85979257. Null = -A_FN x 2 windows, perfect = 2.
 * <ul>
 *   <li>Threshold 0.6: raw 1.85979257 - A_FP; standard 100 (1.74979257 + 2) / 4 = 93.7448,
 *       reward_low_FP_rate (A_FP 0.22) 100 (1.63979257 + 2) / 4 = 90.9948, reward_low_FN_rate
 *       (A_FN 2) 100 (1.74979257 + 4) / 6 = 95.8299.</li>
 *   <li>Optimised: 0.9 (both windows, no false positive) beats 0.95 (a missed), 0.7 (b's false
 *       positive) and lower; raw 1.85979257, standard and reward_low_FP_rate 96.4948,
 *       reward_low_FN_rate 97.6632.</li>
 * </ul>
 */
class EvaluateNabScoresTest {
  private static final double TP_HALF = 0.8597925669097837;
  private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
  private static final LocalDateTime T0 = LocalDateTime.of(2020, 1, 1, 0, 0);

  @TempDir Path tmp;

  private static String ts(int row) {
    return TS.format(T0.plusMinutes(5L * row));
  }

  private Path corpus() throws IOException {
    Path root = tmp.resolve("nab");
    Files.createDirectories(root.resolve("data/g"));
    Files.createDirectories(root.resolve("labels"));
    for (String name : List.of("a", "b", "c")) {
      StringBuilder csv = new StringBuilder("timestamp,value\n");
      for (int i = 0; i < 100; i++) {
        csv.append(ts(i)).append(',').append(i % 7).append('\n');
      }
      Files.writeString(root.resolve("data/g/" + name + ".csv"), csv);
    }
    Files.writeString(root.resolve("labels/combined_windows.json"), "{\n"
        + "\"g/a.csv\": [[\"" + ts(60) + ".000000\", \"" + ts(69) + ".000000\"]],\n"
        + "\"g/b.csv\": [],\n"
        + "\"g/c.csv\": [[\"" + ts(40) + ".000000\", \"" + ts(49) + ".000000\"]]\n}\n");
    return root;
  }

  private Path results(Map<String, Map<Integer, Double>> scores) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("results/mydet/g"));
    for (Map.Entry<String, Map<Integer, Double>> e : scores.entrySet()) {
      StringBuilder csv = new StringBuilder("timestamp,value,anomaly_score,label\n");
      for (int i = 0; i < 100; i++) {
        csv.append(ts(i)).append(",0,").append(e.getValue().getOrDefault(i, 0.0)).append(",0\n");
      }
      Files.writeString(dir.resolve("mydet_" + e.getKey() + ".csv"), csv);
    }
    return dir.getParent();
  }

  private Path syntheticResults() throws IOException {
    return results(Map.of("a", Map.of(60, 0.9, 80, 0.5), "b", Map.of(5, 1.0, 50, 0.7),
        "c", Map.of(45, 0.95)));
  }

  private static JsonNode report(Path out) throws IOException {
    return new ObjectMapper().readTree(out.resolve("report.json").toFile());
  }

  @Test
  void givenThresholdScoresEveryProfileByHand() throws IOException {
    Path data = corpus();
    Path scores = syntheticResults();
    Path out = tmp.resolve("out");
    CliTest.Run r = CliTest.run("evaluate", "--kind", "nab", "--dataset", data.toString(),
        "--scores-from", scores.toString(), "--threshold", "0.6", "--out", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("3 series", "one given threshold");
    JsonNode j = report(out);
    assertThat(j.get("nab_standard").asDouble()).isCloseTo(93.74481417274458, within(1e-9));
    assertThat(j.get("nab_standard_threshold").asDouble()).isEqualTo(0.6);
    assertThat(j.get("nab_reward_low_fp_rate").asDouble()).isCloseTo(90.9948141727446,
        within(1e-9));
    assertThat(j.get("nab_reward_low_fn_rate").asDouble()).isCloseTo(95.82987611516306,
        within(1e-9));
    JsonNode std = j.get("profiles").get("standard");
    assertThat(std.get("raw").asDouble()).isCloseTo(1 + TP_HALF - 0.11, within(1e-12));
    assertThat(std.get("windows").get("detected").asInt()).isEqualTo(2);
    assertThat(std.get("windows").get("false_positives").asInt()).isEqualTo(1);
    List<String> csv = Files.readAllLines(out.resolve("scores.csv"));
    assertThat(csv).hasSize(1 + 3 * 3);
    assertThat(csv.get(0)).isEqualTo(
        "profile,series,rows,probation_rows,windows,threshold,detected,missed,false_positives,raw");
    assertThat(csv.get(2)).startsWith("standard,g/b.csv,100,15,0,").endsWith(",0,0,1,-0.11");
    assertThat(out.resolve("report.html")).exists();
  }

  @Test
  void withoutThresholdEachProfileIsOptimisedAsNabsOptimiser() throws IOException {
    Path data = corpus();
    Path scores = syntheticResults();
    Path out = tmp.resolve("out");
    CliTest.Run r = CliTest.run("evaluate", "--kind", "nab", "--dataset", data.toString(),
        "--scores-from", scores.toString(), "--out", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("optimised over the corpus");
    JsonNode j = report(out);
    assertThat(j.get("nab_standard").asDouble()).isCloseTo(96.4948141727446, within(1e-9));
    assertThat(j.get("nab_standard_threshold").asDouble()).isEqualTo(0.9);
    assertThat(j.get("nab_reward_low_fp_rate").asDouble()).isCloseTo(96.4948141727446,
        within(1e-9));
    assertThat(j.get("nab_reward_low_fn_rate").asDouble()).isCloseTo(97.66320944849639,
        within(1e-9));
    assertThat(j.get("profiles").get("reward_low_FN_rate").get("threshold").asDouble())
        .isEqualTo(0.9);
  }

  @Test
  void aMissingSeriesIsAUsageErrorNamingIt() throws IOException {
    Path data = corpus();
    Path scores = results(Map.of("a", Map.of(), "b", Map.of()));
    CliTest.Run r = CliTest.run("evaluate", "--kind", "nab", "--dataset", data.toString(),
        "--scores-from", scores.toString(), "--out", tmp.resolve("out").toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("no results file for g/c.csv");
  }

  @Test
  void aBadThresholdIsAUsageError() throws IOException {
    CliTest.Run r = CliTest.run("evaluate", "--kind", "nab", "--dataset", corpus().toString(),
        "--scores-from", syntheticResults().toString(), "--threshold", "best",
        "--out", tmp.resolve("out").toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--threshold");
  }

  /** shared/data/nab: under $DIFFAD_SHARED when set, else ../shared beside the checkout. */
  private static Path sharedNab() {
    String env = System.getenv("DIFFAD_SHARED");
    if (env != null && !env.isBlank()) {
      return Path.of(env, "data", "nab");
    }
    for (String base : new String[] {"../shared/data", "../../shared/data"}) {
      Path p = Path.of(base, "nab");
      if (Files.isDirectory(p)) {
        return p;
      }
    }
    return Path.of("../shared/data/nab");
  }

  @Test
  void nabsPublishedNumentaResultsScoreAsOnNabsScoreboard() throws IOException {
    Path nab = sharedNab();
    Path numenta = nab.resolve("reference/results/numenta");
    assumeTrue(Files.isDirectory(numenta), numenta
        + " not present (set DIFFAD_SHARED or check out beside ../shared): skipped");
    Path out = tmp.resolve("out");
    CliTest.Run r = CliTest.run("evaluate", "--kind", "nab", "--dataset", nab.toString(),
        "--scores-from", numenta.toString(), "--threshold", "0.5421876907348634",
        "--out", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode j = report(out);
    // final_results.json: numenta standard 70.101, reward_low_FN_rate 74.320 at this threshold.
    assertThat(j.get("nab_standard").asDouble()).isCloseTo(70.10105611943965, within(0.01));
    assertThat(j.get("nab_reward_low_fn_rate").asDouble()).isCloseTo(74.3202443095115,
        within(0.01));
    assertThat(r.out()).contains("standard             NAB 70.10");

    Path opt = tmp.resolve("optimised");
    r = CliTest.run("evaluate", "--kind", "nab", "--dataset", nab.toString(),
        "--scores-from", numenta.toString(), "--out", opt.toString());
    assertThat(r.code()).as(r.err()).isZero();
    // The exact optimum ties NAB's standard figure (at 0.5431 instead of NAB's 0.5422).
    assertThat(report(opt).get("nab_standard").asDouble()).isCloseTo(70.10105611943965,
        within(0.01));
  }
}
