package ai.diffad.flink.batch;

import ai.diffad.denoise.record.JsonLines;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The JSON-lines files of the batch job as a ledger of finished inputs: each line is one record
 * with an {@code id}. A run that was killed may leave a last line without its line break (the
 * record being written); such a partial line is not a record. Plain Java, used by the client
 * before a run and by the job's operators and sink.
 */
public final class Ledger {
  private Ledger() {}

  /** One complete line and its parsed record (null if the line is not a JSON object with an id). */
  record Line(String text, JsonNode node) {
    String id() {
      return node == null ? null : node.get("id").asText();
    }
  }

  /**
   * The complete lines of {@code file} (empty if it does not exist): everything up to its last
   * line break; a partial last line is left out.
   */
  static List<Line> lines(Path file) throws IOException {
    List<Line> out = new ArrayList<>();
    for (JsonLines.Line l : JsonLines.readLines(file)) {
      JsonNode node = l.node();
      if (node != null && (!node.isObject() || !node.hasNonNull("id"))) {
        node = null;
      }
      out.add(new Line(l.text(), node));
    }
    return out;
  }

  /** The ids of the complete records of {@code file}. */
  public static Set<String> ids(Path file) throws IOException {
    Set<String> ids = new HashSet<>();
    for (Line l : lines(file)) {
      if (l.id() != null) {
        ids.add(l.id());
      }
    }
    return ids;
  }

  /**
   * Cuts a partial last line (bytes after the last line break) off {@code file}, in place.
   *
   * @return the bytes cut (0 if the file ends with a line break, is empty or does not exist)
   */
  public static long cutPartialLine(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      return 0;
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long size = ch.size();
      long pos = size;
      ByteBuffer b = ByteBuffer.allocate(8192);
      while (pos > 0) {
        int n = (int) Math.min(b.capacity(), pos);
        b.clear().limit(n);
        ch.read(b, pos - n);
        for (int i = n - 1; i >= 0; i--) {
          if (b.get(i) == '\n') {
            long keep = pos - n + i + 1;
            if (keep < size) {
              ch.truncate(keep);
              ch.force(true);
            }
            return size - keep;
          }
        }
        pos -= n;
      }
      ch.truncate(0);
      ch.force(true);
      return size;
    }
  }

  /**
   * Rewrites {@code file} with the complete records that {@code keep} accepts, the first of each
   * id only; drops a partial last line, lines that are not records, repeated ids and refused
   * records. The file is replaced atomically, and only if something is dropped.
   *
   * @return the ids kept, in file order
   */
  public static Set<String> compact(Path file, Predicate<JsonNode> keep) throws IOException {
    Set<String> kept = new LinkedHashSet<>();
    if (!Files.isRegularFile(file)) {
      return kept;
    }
    long size = Files.size(file);
    StringBuilder sb = new StringBuilder();
    boolean dropped = false;
    long written = 0;
    for (Line l : lines(file)) {
      String id = l.id();
      if (id == null || kept.contains(id) || !keep.test(l.node())) {
        dropped = true;
        continue;
      }
      kept.add(id);
      sb.append(l.text()).append('\n');
      written += l.text().getBytes(StandardCharsets.UTF_8).length + 1;
    }
    if (dropped || written != size) {
      Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".tmp-", ".part");
      try {
        Files.writeString(tmp, sb, StandardCharsets.UTF_8);
        if (Files.getFileStore(tmp).supportsFileAttributeView("posix")) {
          Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
          ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
    return kept;
  }
}
