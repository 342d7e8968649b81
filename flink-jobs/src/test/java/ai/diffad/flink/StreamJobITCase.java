package ai.diffad.flink;

import static org.assertj.core.api.Assertions.assertThat;

import ai.diffad.denoise.record.JsonLines;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The streaming job end to end on a MiniCluster (1 TaskManager, 2 slots) with a tiny real model. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StreamJobITCase {
  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder()
          .setNumberTaskManagers(1)
          .setNumberSlotsPerTaskManager(2)
          .build());

  @TempDir static Path shared;
  static Path model;

  @TempDir Path in;
  @TempDir Path out;

  @BeforeAll
  static void trainTinyModel() {
    model = TinyModel.train(shared.resolve("model"));
  }

  private StreamJob.Builder job() {
    return StreamJob.builder()
        .model(model)
        .input(in)
        .output(out)
        .engine(TinyModel.engine())
        .maxBatch(3)
        .maxWait(Duration.ofMillis(200))
        .checkpointInterval(Duration.ofMillis(300))
        .parallelism(2);
  }

  @Test
  void boundedFolderEveryInputIdAppearsExactlyOnceAcrossScoresAndRejections() throws Exception {
    TinyModel.writePng(in.resolve("a.png"), 24, 20, 1, 1);
    TinyModel.writePng(in.resolve("cam1/b.png"), 16, 16, 3, 2);
    TinyModel.writePng(in.resolve("cam1/c.png"), 20, 20, 1, 3);
    TinyModel.writePng(in.resolve("cam2/d.png"), 16, 32, 1, 4);
    TinyModel.writePng(in.resolve("cam2/e.png"), 16, 16, 1, 5);
    Files.createFile(in.resolve("cam1/empty.png"));
    Files.writeString(in.resolve("cam2/notes.png"), "{\"id\": \"cam3/000124.png\"}");
    Files.writeString(in.resolve("readme.txt"), "not an input name: skipped");
    TinyModel.writePng(in.resolve("cam1/_partial.png"), 16, 16, 1, 6); // hidden: skipped

    StreamJob job = job().bounded().build();
    job.execute(StreamExecutionEnvironment.getExecutionEnvironment());

    List<JsonNode> scores = read(job.scoresFile());
    List<JsonNode> rejected = read(job.rejectedFile());
    assertThat(idCounts(scores, rejected)).containsExactlyInAnyOrderEntriesOf(Map.of(
        "a.png", 1, "cam1/b.png", 1, "cam1/c.png", 1, "cam2/d.png", 1, "cam2/e.png", 1,
        "cam1/empty.png", 1, "cam2/notes.png", 1));
    assertThat(rejected).extracting(r -> r.get("id").asText() + " " + r.get("reason").asText())
        .containsExactlyInAnyOrder("cam1/empty.png EMPTY", "cam2/notes.png DECODE_FAILED");
    JsonNode b = scores.stream().filter(s -> s.get("id").asText().equals("cam1/b.png")).findFirst().orElseThrow();
    assertThat(b.get("source").asText()).isEqualTo("cam1");
    assertThat(b.get("kind").asText()).isEqualTo("image");
    assertThat(b.get("tStar").asInt()).isEqualTo(10);
    assertThat(b.get("model").get("name").asText()).isEqualTo("tiny");
    assertThat(b.get("score").asDouble()).isFinite().isPositive();
    assertThat(scores).allMatch(s -> s.get("timingsMs").has("model"));
    assertThat(scores.stream().filter(s -> s.get("id").asText().equals("a.png")).findFirst().orElseThrow()
        .has("source")).isFalse();
  }

  /**
   * The stream's folder source confines its records to the watched folder like the Kafka root: a
   * link to an image outside and a link to a folder outside get one UNREADABLE rejection each (a
   * job that followed them would score the images outside), a link to a file inside is scored.
   */
  @Test
  void linksOutOfTheWatchedFolderAreRejectedOnceAndNothingBehindThemIsRead(@TempDir Path elsewhere)
      throws Exception {
    TinyModel.writePng(in.resolve("cam1/a.png"), 16, 16, 1, 1);
    TinyModel.writePng(elsewhere.resolve("secret.png"), 16, 16, 1, 2);
    TinyModel.writePng(elsewhere.resolve("more/other.png"), 16, 16, 1, 3);
    Files.createSymbolicLink(in.resolve("cam1/out.png"), elsewhere.resolve("secret.png"));
    Files.createSymbolicLink(in.resolve("cam1/same.png"), in.resolve("cam1/a.png"));
    Files.createSymbolicLink(in.resolve("outdir"), elsewhere.resolve("more"));

    StreamJob job = job().bounded().build();
    job.execute(StreamExecutionEnvironment.getExecutionEnvironment());

    List<JsonNode> scores = read(job.scoresFile());
    List<JsonNode> rejected = read(job.rejectedFile());
    assertThat(idCounts(scores, rejected)).containsExactlyInAnyOrderEntriesOf(Map.of(
        "cam1/a.png", 1, "cam1/same.png", 1, "cam1/out.png", 1, "outdir", 1));
    assertThat(scores).extracting(r -> r.get("id").asText())
        .containsExactlyInAnyOrder("cam1/a.png", "cam1/same.png");
    assertThat(rejected).extracting(r -> r.get("id").asText() + " " + r.get("reason").asText())
        .containsExactlyInAnyOrder("cam1/out.png UNREADABLE", "outdir UNREADABLE");
    assertThat(rejected).allSatisfy(r -> assertThat(r.get("detail").asText())
        .contains("leads through a link to " + elsewhere.toRealPath())
        .contains("(source.directory.path)"));
  }

  @Test
  void watchedFolderNewFilesAreScoredOnceEachWhileTheJobRuns() throws Exception {
    TinyModel.writePng(in.resolve("cam1/first.png"), 16, 16, 1, 11);
    Files.createFile(in.resolve("cam1/zero.png"));
    StreamJob job = job().monitorInterval(Duration.ofMillis(200)).build();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    job.wire(env);
    JobClient client = env.executeAsync("diffad stream test");
    try {
      awaitRecords(job, 2);
      // Files arriving later, written under a hidden name and renamed when complete.
      for (int i = 0; i < 4; i++) {
        Path tmp = in.resolve("cam2/.incoming-" + i + ".png");
        TinyModel.writePng(tmp, 16, 16, 1, 20 + i);
        Files.move(tmp, in.resolve("cam2/late-" + i + ".png"), StandardCopyOption.ATOMIC_MOVE);
      }
      Files.writeString(in.resolve("cam2/.tmp"), "x");
      Files.move(in.resolve("cam2/.tmp"), in.resolve("cam2/bad.png"), StandardCopyOption.ATOMIC_MOVE);
      awaitRecords(job, 7);
      Thread.sleep(1000); // a second look for anything emitted twice
    } finally {
      client.cancel().get(30, TimeUnit.SECONDS);
    }
    Map<String, Integer> ids = idCounts(read(job.scoresFile()), read(job.rejectedFile()));
    assertThat(ids).containsExactlyInAnyOrderEntriesOf(Map.of(
        "cam1/first.png", 1, "cam1/zero.png", 1, "cam2/late-0.png", 1, "cam2/late-1.png", 1,
        "cam2/late-2.png", 1, "cam2/late-3.png", 1, "cam2/bad.png", 1));
  }

  private static void awaitRecords(StreamJob job, int n) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (read(job.scoresFile()).size() + read(job.rejectedFile()).size() < n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + n + " records; scores: "
            + read(job.scoresFile()) + ", rejected: " + read(job.rejectedFile()));
      }
      Thread.sleep(100);
    }
  }

  private static Map<String, Integer> idCounts(List<JsonNode> scores, List<JsonNode> rejected) {
    Map<String, Integer> ids = new HashMap<>();
    for (JsonNode n : scores) {
      ids.merge(n.get("id").asText(), 1, Integer::sum);
    }
    for (JsonNode n : rejected) {
      ids.merge(n.get("id").asText(), 1, Integer::sum);
    }
    return ids;
  }

  /** The complete lines of a JSON-lines file (none if it does not exist yet). */
  private static List<JsonNode> read(Path file) throws IOException {
    return JsonLines.readRecords(file);
  }
}
