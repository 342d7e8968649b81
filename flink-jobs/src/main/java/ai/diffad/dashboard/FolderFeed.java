package ai.diffad.dashboard;

import ai.diffad.denoise.record.JsonLines;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows a results folder: {@code scores.jsonl}, {@code rejected.jsonl} and {@code alerts.jsonl}
 * (and the {@code NAME-i.jsonl} files of a sink run at parallelism > 1), from their beginning,
 * every {@code interval}. Complete lines only (a partial one is read once it is whole); a complete
 * line that is not a JSON object is counted as unreadable and skipped. When a file is cut back or
 * replaced, everything is read again from the start, so the totals stay equal to the files'
 * records.
 */
public final class FolderFeed implements Feed {
  private static final Logger LOG = LoggerFactory.getLogger(FolderFeed.class);
  private static final Pattern NAME = Pattern.compile("(scores|rejected|alerts)(-\\d+)?\\.jsonl");

  private final Path dir;
  private final Duration interval;
  private final Map<Path, JsonLinesTail> tails = new LinkedHashMap<>();
  private final Map<Path, Long> overlong = new LinkedHashMap<>();
  private volatile boolean closed;
  private Thread thread;

  /** @param dir the results folder; @param interval how often to look (e.g. 200 ms) */
  public FolderFeed(Path dir, Duration interval) {
    this.dir = dir.toAbsolutePath().normalize();
    this.interval = interval;
  }

  @Override
  public String describe() {
    return "folder " + dir;
  }

  @Override
  public synchronized void start(DashboardState state) {
    if (thread != null) {
      throw new IllegalStateException("started already");
    }
    thread = new Thread(() -> run(state), "dashboard-folder-feed");
    thread.setDaemon(true);
    thread.start();
  }

  private void run(DashboardState state) {
    while (!closed) {
      try {
        pollOnce(state);
        state.feedError(null);
      } catch (IOException | RuntimeException e) {
        state.feedError("cannot read " + dir + ": " + e.getMessage());
        LOG.debug("reading {}", dir, e);
      }
      try {
        Thread.sleep(interval.toMillis());
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** One look at every file: reads what was added (public for tests). */
  public void pollOnce(DashboardState state) throws IOException {
    discover();
    for (Map.Entry<Path, JsonLinesTail> e : tails.entrySet()) {
      DashboardState.Kind kind = kindOf(e.getKey());
      JsonLinesTail tail = e.getValue();
      JsonLinesTail.Poll p;
      do {
        p = tail.poll();
        if (p.truncated()) {
          LOG.info("{} was cut back or replaced: reading the folder again from the start", tail.file());
          for (JsonLinesTail t : tails.values()) {
            t.rewind();
          }
          overlong.replaceAll((k, v) -> 0L);
          state.reset();
          return; // the next poll reads everything again
        }
        for (String line : p.lines()) {
          JsonNode n;
          try {
            n = JsonLines.mapper().readTree(line);
          } catch (IOException ex) {
            n = null;
          }
          if (n == null || !n.isObject()) {
            state.unreadable();
          } else {
            state.accept(kind, n);
          }
        }
        long before = overlong.getOrDefault(tail.file(), 0L);
        for (long i = before; i < tail.overlong(); i++) {
          state.unreadable();
        }
        overlong.put(tail.file(), tail.overlong());
      } while (p.more() && !closed);
    }
  }

  private void discover() throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        if (NAME.matcher(p.getFileName().toString()).matches() && !tails.containsKey(p)) {
          tails.put(p, new JsonLinesTail(p));
        }
      }
    }
  }

  private static DashboardState.Kind kindOf(Path file) {
    Matcher m = NAME.matcher(file.getFileName().toString());
    if (!m.matches()) {
      throw new IllegalArgumentException(file.toString());
    }
    return switch (m.group(1)) {
      case "scores" -> DashboardState.Kind.SCORE;
      case "rejected" -> DashboardState.Kind.REJECTED;
      default -> DashboardState.Kind.ALERT;
    };
  }

  @Override
  public void close() {
    closed = true;
    Thread t;
    synchronized (this) {
      t = thread;
    }
    if (t != null) {
      t.interrupt();
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
