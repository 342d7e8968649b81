package ai.diffad.dashboard;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Follows one JSON-lines file as a job appends to it: each {@link #poll} returns the complete
 * lines added since the last one. A partial last line (the record being written) is not consumed
 * and is read again, whole, by a later poll. A line longer than {@link #MAX_LINE} bytes is skipped
 * and counted in {@link #overlong}. At most {@code MAX_LINE + 1} bytes are read per poll, so a large
 * file is read over several polls ({@link Poll#more}). A file that became shorter than what was read, or was
 * replaced by another (a job restored from a checkpoint cuts its files back; a new job starts
 * them afresh), makes the poll return {@link Poll#truncated} so that the caller reads everything
 * again from the start.
 */
public final class JsonLinesTail {
  /** Longest line read, in bytes. */
  static final int MAX_LINE = 4 << 20;
  private final Path file;
  private long position;
  private Object fileKey;
  private boolean skipping;
  private long overlong;

  /** What one poll found. */
  public record Poll(List<String> lines, boolean truncated, boolean more) {}

  public JsonLinesTail(Path file) {
    this.file = file;
  }

  public Path file() {
    return file;
  }

  /** Lines skipped because they were longer than {@link #MAX_LINE}. */
  public long overlong() {
    return overlong;
  }

  /** Starts over from the beginning of the file. */
  public void rewind() {
    position = 0;
    fileKey = null;
    skipping = false;
  }

  /** The complete lines added since the last poll (a missing file has none). */
  public Poll poll() throws IOException {
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      return new Poll(List.of(), position > 0, false);
    }
    Object key = attrs.fileKey();
    if ((fileKey != null && key != null && !Objects.equals(fileKey, key)) || attrs.size() < position) {
      return new Poll(List.of(), true, false);
    }
    fileKey = key;
    long size = attrs.size();
    if (size == position) {
      return new Poll(List.of(), false, false);
    }
    List<String> lines = new ArrayList<>();
    int want = (int) Math.min(size - position, MAX_LINE + 1L);
    ByteBuffer buf = ByteBuffer.allocate(want);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      while (buf.hasRemaining()) {
        int n = ch.read(buf, position + buf.position());
        if (n < 0) {
          break;
        }
      }
    } catch (NoSuchFileException e) {
      return new Poll(List.of(), true, false);
    }
    byte[] b = buf.array();
    int len = buf.position();
    int start = 0;
    for (int i = 0; i < len; i++) {
      if (b[i] == '\n') {
        if (skipping) {
          skipping = false;
        } else {
          String line = new String(b, start, i - start, StandardCharsets.UTF_8);
          if (!line.isBlank()) {
            lines.add(line);
          }
        }
        start = i + 1;
      }
    }
    if (start == 0 && len - start > MAX_LINE && !skipping) {
      // No line break in more than MAX_LINE bytes: skip to the next one.
      skipping = true;
      overlong++;
    }
    if (skipping && start < len) {
      start = len; // still inside the overlong line: everything read is part of it
    }
    position += start;
    return new Poll(lines, false, position < size && start > 0);
  }
}
