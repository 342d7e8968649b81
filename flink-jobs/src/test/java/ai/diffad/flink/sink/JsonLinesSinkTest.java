package ai.diffad.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;

import ai.diffad.denoise.record.RejectReason;
import ai.diffad.denoise.record.Rejection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesSinkTest {
  @TempDir Path dir;

  private static Rejection r(String id) {
    return Rejection.of(id, "cam", RejectReason.EMPTY, "empty file (0 bytes)");
  }

  @Test
  void linesAreVisibleAsWrittenAndARestoreCutsBackToTheCheckpointedLength() throws Exception {
    JsonLinesSink<Rejection> sink = new JsonLinesSink<>(dir, "rejected.jsonl");
    Path file = sink.file(0, 1);
    long checkpointed;
    try (var w = new JsonLinesSink.Writer<Rejection>(file, 0)) {
      w.write(r("a"), null);
      w.write(r("b"), null);
      assertThat(Files.readAllLines(file)).hasSize(2); // readable before any checkpoint
      checkpointed = w.snapshotState(1).get(0);
      w.write(r("c"), null); // after the checkpoint: replayed after a failure
    }
    assertThat(Files.readAllLines(file)).hasSize(3);

    var serializer = sink.getWriterStateSerializer();
    long restored = serializer.deserialize(serializer.getVersion(), serializer.serialize(checkpointed));
    try (var w = new JsonLinesSink.Writer<Rejection>(file, restored)) {
      assertThat(Files.readAllLines(file)).hasSize(2);
      w.write(r("c"), null);
    }
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(3);
    assertThat(lines.get(2)).isEqualTo(
        "{\"id\":\"c\",\"source\":\"cam\",\"rejected\":true,\"reason\":\"EMPTY\",\"detail\":\"empty file (0 bytes)\"}");
  }

  @Test
  void aFreshStartEmptiesTheFileAndParallelSubtasksWriteTheirOwnFiles() throws Exception {
    JsonLinesSink<Rejection> sink = new JsonLinesSink<>(dir, "scores.jsonl");
    Files.writeString(sink.file(0, 1), "old line\n");
    try (var w = new JsonLinesSink.Writer<Rejection>(sink.file(0, 1), 0)) {
      w.write(r("x"), null);
    }
    assertThat(Files.readAllLines(dir.resolve("scores.jsonl"))).hasSize(1).allMatch(l -> l.contains("\"x\""));
    assertThat(sink.file(1, 2)).isEqualTo(dir.resolve("scores-1.jsonl"));
  }
}
