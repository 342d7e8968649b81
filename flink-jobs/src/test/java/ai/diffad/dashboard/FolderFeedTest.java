package ai.diffad.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The results-folder feed: partial lines, bad lines, files cut back, totals equal to the files. */
class FolderFeedTest {
  @TempDir Path dir;

  private DashboardState state() throws Exception {
    return new DashboardState(DashboardSettings.defaults(), new ResultsFiles(dir), "test",
        System::currentTimeMillis);
  }

  private void append(String file, String text) throws Exception {
    Files.writeString(dir.resolve(file), text, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  private static String score(String id, double s) {
    return "{\"id\":\"" + id + "\",\"source\":\"cam1\",\"ts\":\"2027-01-15T08:00:00Z\",\"score\":" + s
        + ",\"anomalous\":" + (s > 0.5) + ",\"threshold\":0.5}\n";
  }

  @Test
  void aPartialLineIsReadOnceWholeAndBadLinesAreCountedNotFatal() throws Exception {
    DashboardState st = state();
    FolderFeed feed = new FolderFeed(dir, Duration.ofMillis(50));
    append("scores.jsonl", score("a", 0.1) + score("b", 0.9));
    String c = score("c", 0.7);
    append("scores.jsonl", c.substring(0, 25)); // the job is writing c
    append("rejected.jsonl", "{\"id\":\"r1\",\"reason\":\"EMPTY\",\"detail\":\"0 bytes\"}\nnot json at all\n[1,2]\n");
    append("alerts.jsonl", "{\"source\":\"cam1\",\"ts\":\"2027-01-15T08:00:01Z\",\"count\":2,\"windowSeconds\":60}\n");
    Files.writeString(dir.resolve("notes.jsonl"), "{\"id\": \"not followed\"}\n");
    feed.pollOnce(st);
    assertThat(st.totals()).isEqualTo(new DashboardState.Totals(2, 0, 1, 1, 1, 2));

    feed.pollOnce(st);
    assertThat(st.totals().scored()).as("c is still partial").isEqualTo(2);
    append("scores.jsonl", c.substring(25) + "{\"id\": \"broken\", \n");
    feed.pollOnce(st);
    assertThat(st.totals()).isEqualTo(new DashboardState.Totals(3, 0, 2, 1, 1, 3));
    assertThat(st.totals().read()).as("every line of the three files").isEqualTo(3 + 3 + 1 + 1);
    assertThat(st.snapshot().get("flagged")).extracting(n -> n.get("id").asText()).containsExactly("c", "b");
  }

  @Test
  void aFileCutBackOrReplacedIsReadAgainFromTheStartSoTotalsMatchTheFiles() throws Exception {
    DashboardState st = state();
    FolderFeed feed = new FolderFeed(dir, Duration.ofMillis(50));
    append("scores.jsonl", score("a", 0.1) + score("b", 0.9) + score("c", 0.9));
    append("rejected.jsonl", "{\"id\":\"r1\",\"reason\":\"EMPTY\"}\n");
    feed.pollOnce(st);
    assertThat(st.totals().read()).isEqualTo(4);
    // A job restored from a checkpoint cuts scores.jsonl back to its first line, then goes on.
    Files.writeString(dir.resolve("scores.jsonl"), score("a", 0.1));
    feed.pollOnce(st);
    feed.pollOnce(st);
    append("scores.jsonl", score("d", 0.8));
    feed.pollOnce(st);
    assertThat(st.totals()).isEqualTo(new DashboardState.Totals(2, 0, 1, 1, 0, 0));
    // A new job replaces the file (another inode) of the same length.
    Path tmp = dir.resolve(".tmp");
    Files.writeString(tmp, score("e", 0.2) + score("f", 0.3));
    Files.move(tmp, dir.resolve("scores.jsonl"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    feed.pollOnce(st);
    feed.pollOnce(st);
    assertThat(st.totals()).isEqualTo(new DashboardState.Totals(2, 0, 0, 1, 0, 0));
    assertThat(st.snapshot().at("/resets").asLong()).isEqualTo(2);
  }

  @Test
  void anOverlongLineIsSkippedAndCountedAndTheNextLinesAreRead() throws Exception {
    DashboardState st = state();
    FolderFeed feed = new FolderFeed(dir, Duration.ofMillis(50));
    StringBuilder big = new StringBuilder("{\"id\":\"");
    big.append("x".repeat(JsonLinesTail.MAX_LINE + 100)).append("\"}\n");
    append("scores.jsonl", score("a", 0.1) + big + score("b", 0.2));
    feed.pollOnce(st);
    feed.pollOnce(st);
    assertThat(st.totals()).isEqualTo(new DashboardState.Totals(2, 0, 0, 0, 0, 1));
  }

  @Test
  void theFeedThreadFollowsTheFolderAndStopsOnClose() throws Exception {
    DashboardState st = state();
    FolderFeed feed = new FolderFeed(dir, Duration.ofMillis(50));
    try {
      feed.start(st);
      append("scores.jsonl", score("a", 0.9));
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (st.totals().scored() < 1 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(st.totals().scored()).isEqualTo(1);
    } finally {
      feed.close();
    }
    assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("dashboard-folder-feed") && t.isAlive());
  }
}
