package ai.diffad.flink.batch;

import static org.assertj.core.api.Assertions.assertThat;

import ai.diffad.denoise.record.RejectReason;
import ai.diffad.denoise.record.Rejection;
import ai.diffad.flink.sink.AppendingJsonLinesSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerTest {
  @TempDir Path dir;

  @Test
  void aPartialLastLineIsNotARecordAndIsCut() throws Exception {
    Path f = dir.resolve("scores.jsonl");
    Files.writeString(f, "{\"id\":\"a\"}\n{\"id\":\"b\"}\n{\"id\":\"c\",\"sig");
    assertThat(Ledger.ids(f)).containsExactlyInAnyOrder("a", "b");
    assertThat(Ledger.cutPartialLine(f)).isEqualTo(14);
    assertThat(Files.readString(f)).isEqualTo("{\"id\":\"a\"}\n{\"id\":\"b\"}\n");
    assertThat(Ledger.cutPartialLine(f)).isZero();
    Files.writeString(f, "no line break at all");
    assertThat(Ledger.cutPartialLine(f)).isEqualTo(20);
    assertThat(Files.size(f)).isZero();
    assertThat(Ledger.cutPartialLine(dir.resolve("missing.jsonl"))).isZero();
  }

  @Test
  void compactKeepsTheFirstRecordOfEachAcceptedIdAndRewritesOnlyWhenNeeded() throws Exception {
    Path f = dir.resolve("scores.jsonl");
    Files.writeString(f, "{\"id\":\"a\"}\nnot json\n{\"id\":\"b\"}\n{\"id\":\"a\",\"again\":1}\n{\"id\":\"gone\"}\n{\"id\":\"x");
    Set<String> kept = Ledger.compact(f, r -> !r.get("id").asText().equals("gone"));
    assertThat(kept).containsExactly("a", "b");
    assertThat(Files.readString(f)).isEqualTo("{\"id\":\"a\"}\n{\"id\":\"b\"}\n");
    long modified = Files.getLastModifiedTime(f).toMillis();
    Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.fromMillis(modified - 10_000));
    assertThat(Ledger.compact(f, r -> true)).containsExactly("a", "b");
    assertThat(Files.getLastModifiedTime(f).toMillis()).isEqualTo(modified - 10_000); // untouched
  }

  @Test
  void theAppendingSinkCutsAPartialLineAndWritesEachIdOnce() throws Exception {
    Path f = dir.resolve("rejected.jsonl");
    Files.writeString(f, "{\"id\":\"a\",\"reason\":\"EMPTY\"}\n{\"id\":\"b\",\"rea");
    try (var w = new AppendingJsonLinesSink.Writer<Rejection>(f, Rejection::id)) {
      w.write(Rejection.of("a", null, RejectReason.EMPTY, "again"), null);
      w.write(Rejection.of("b", null, RejectReason.EMPTY, "empty file (0 bytes)"), null);
      w.write(Rejection.of("b", null, RejectReason.EMPTY, "twice"), null);
      w.flush(true);
      assertThat(w.skipped()).isEqualTo(2);
    }
    List<String> lines = Files.readAllLines(f);
    assertThat(lines).hasSize(2);
    assertThat(lines.get(1)).contains("\"id\":\"b\"").contains("empty file (0 bytes)");
  }
}
