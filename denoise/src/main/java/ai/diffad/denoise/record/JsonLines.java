package ai.diffad.denoise.record;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Records as JSON lines: one compact JSON object per line, flushed per record; and the one reader
 * of such files ({@link #readLines}, {@link #readNodes}), for the tools that look at results (the
 * batch job's ledger, the demo's summary, benchmarks). Scoring itself never reads its own output
 * back: it hands {@code Outcome}s to its callers.
 */
public final class JsonLines implements Closeable {
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  private final BufferedWriter out;

  private JsonLines(BufferedWriter out) {
    this.out = out;
  }

  /** Opens {@code file} for appending (created with its folders if missing). */
  public static JsonLines append(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    return new JsonLines(Files.newBufferedWriter(file, StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND));
  }

  /** One record as a compact JSON string (no line break). */
  public static String toJson(Object record) {
    try {
      return MAPPER.writeValueAsString(record);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The shared mapper (thread-safe once configured). */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** One complete line of a JSON-lines file and its parsed value (null if it is not JSON). */
  public record Line(String text, JsonNode node) {}

  /**
   * The complete lines of {@code file} (empty if it does not exist): everything up to its last line
   * break, so the partial last line of a killed writer is left out; blank lines are skipped.
   */
  public static List<Line> readLines(Path file) throws IOException {
    List<Line> out = new ArrayList<>();
    if (!Files.isRegularFile(file)) {
      return out;
    }
    String text = Files.readString(file, StandardCharsets.UTF_8);
    int end = text.lastIndexOf('\n');
    if (end < 0) {
      return out;
    }
    for (String line : text.substring(0, end).split("\n", -1)) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode node;
      try {
        node = MAPPER.readTree(line);
      } catch (IOException e) {
        node = null;
      }
      out.add(new Line(line, node));
    }
    return out;
  }

  /** The JSON objects of the complete lines of {@code file}; lines that are not JSON are skipped. */
  public static List<JsonNode> readNodes(Path file) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (Line l : readLines(file)) {
      if (l.node() != null && l.node().isObject()) {
        out.add(l.node());
      }
    }
    return out;
  }

  /**
   * The JSON objects of the complete lines of {@code file}, strictly: a complete line that is not a
   * JSON object is an error naming the file and line (for readers that must see every record, such
   * as tests of the jobs' output).
   *
   * @throws IOException if the file cannot be read or a complete line is not a JSON object
   */
  public static List<JsonNode> readRecords(Path file) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    int n = 0;
    for (Line l : readLines(file)) {
      n++;
      if (l.node() == null || !l.node().isObject()) {
        throw new IOException(file + ": record " + n + " is not a JSON object: " + l.text());
      }
      out.add(l.node());
    }
    return out;
  }

  /** Writes one record and flushes, so a crash loses at most the line being written. */
  public synchronized void write(Object record) throws IOException {
    out.write(toJson(record));
    out.write('\n');
    out.flush();
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
