package ai.diffad.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The soak's bookkeeping: what it counts as dropped, repeated or wrong, and its file tail. */
class StreamSoakTest {
  @TempDir Path dir;

  private static String score(long i) {
    return "{\"id\":\"" + StreamSoak.id(i) + "\",\"score\":0.1}";
  }

  private static String rejection(long i, String reason) {
    return "{\"id\":\"" + StreamSoak.id(i) + "\",\"rejected\":true,\"reason\":\"" + reason + "\"}";
  }

  @Test
  void everyInputMustHaveExactlyOneRecordOfItsKind() throws Exception {
    assertThat(StreamSoak.kind(499)).isEqualTo(1);
    assertThat(StreamSoak.kind(1999)).isEqualTo(2);
    assertThat(StreamSoak.kind(500)).isZero();
    assertThat(StreamSoak.index(StreamSoak.id(12345))).isEqualTo(12345);
    int n = 2000;
    int[] folders = new int[2];
    StreamSoak.Tally t = new StreamSoak.Tally(n);
    Files.createDirectories(dir.resolve("b000"));
    Files.createDirectories(dir.resolve("b001"));
    for (long i = 0; i < n; i++) {
      if (i == 7) {
        continue; // dropped
      }
      int k = StreamSoak.kind(i);
      t.record(k == 0 ? score(i) : rejection(i, k == 1 ? "EMPTY" : "DECODE_FAILED"), k == 0, folders, dir);
    }
    t.record(score(3), true, folders, dir); // a duplicate
    t.record(score(499), true, folders, dir); // a duplicate of the wrong kind: counted as duplicate
    t.record("{\"id\":\"elsewhere.png\"}", true, folders, dir);
    assertThat(t.count - t.seen.cardinality()).isEqualTo(1);
    assertThat(t.duplicates).isEqualTo(2);
    assertThat(t.unknown).isEqualTo(1);
    assertThat(t.wrongKind).isZero();
    assertThat(t.reasons).containsEntry("EMPTY", 2L).containsEntry("DECODE_FAILED", 2L);
    // the folder whose 1000 records are all out is emptied, the one missing a record is kept
    assertThat(dir.resolve("b001")).doesNotExist();
    assertThat(dir.resolve("b000")).isDirectory();

    StreamSoak.Tally w = new StreamSoak.Tally(1000);
    w.record(score(499), true, new int[1], dir); // an empty file scored: wrong kind
    assertThat(w.wrongKind).isEqualTo(1);
  }

  @Test
  void theTailReturnsCompleteLinesOnceAndWaitsForTheRestOfAPartialOne() throws Exception {
    Path f = dir.resolve("scores.jsonl");
    StreamSoak.Tail tail = new StreamSoak.Tail(f);
    assertThat(tail.lines()).isEmpty();
    Files.writeString(f, "a\nb\npart");
    assertThat(tail.lines()).containsExactly("a", "b");
    assertThat(tail.lines()).isEmpty();
    Files.writeString(f, "ial\nc\n", java.nio.file.StandardOpenOption.APPEND);
    assertThat(tail.lines()).containsExactly("partial", "c");
  }
}
