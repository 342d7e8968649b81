package ai.diffad.model.util;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress as plain lines for a log (no carriage returns, no redraws): a line each time another
 * tenth of the work is done or {@link #EVERY} passed since the last line, whichever comes first,
 * and a final line on {@link #close}. A line names the task, done/total, the percentage, the
 * time elapsed, the ETA and the extra message, and is at most {@link #MAX_LINE} characters.
 */
public final class PlainProgress implements ProgressReporter {
  /** At most this long between two lines while the work advances. */
  public static final Duration EVERY = Duration.ofSeconds(30);
  /** A line is cut to this many characters. */
  public static final int MAX_LINE = 200;

  private final String task;
  private final long total;
  private final long start;
  private final Duration elapsedBefore;
  private final PrintStream out;
  private final LongSupplier nanoTime;
  private final long t0;

  private long current;
  private String extra = "";
  private long lastTenth;
  private long lastLineAt;
  private long lastLineDone;
  private boolean closed;

  /**
   * @param task what is being done
   * @param total units of work (0 or less: unknown, the lines then have no percentage or ETA)
   * @param start units already done when this reporter starts (a resumed task)
   * @param elapsedBefore time those took
   * @param out where the lines go
   * @param nanoTime the clock ({@link System#nanoTime} but in tests)
   */
  PlainProgress(String task, long total, long start, Duration elapsedBefore, PrintStream out,
      LongSupplier nanoTime) {
    this.task = task;
    this.total = total;
    this.start = start;
    this.elapsedBefore = elapsedBefore;
    this.out = out;
    this.nanoTime = nanoTime;
    this.t0 = nanoTime.getAsLong();
    this.current = start;
    this.lastTenth = tenth(start);
    this.lastLineAt = t0;
    this.lastLineDone = start;
  }

  @Override
  public synchronized void step() {
    stepTo(current + 1);
  }

  @Override
  public synchronized void stepTo(long done) {
    if (closed) {
      return;
    }
    current = done;
    long now = nanoTime.getAsLong();
    long tenth = tenth(done);
    if (tenth > lastTenth || (done != lastLineDone && now - lastLineAt >= EVERY.toNanos())) {
      lastTenth = Math.max(lastTenth, tenth);
      print(line(now, false));
      lastLineAt = now;
      lastLineDone = done;
    }
  }

  @Override
  public synchronized void setExtraMessage(String message) {
    extra = message == null ? "" : message;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    print(line(nanoTime.getAsLong(), true));
  }

  /** Tenths of the work {@code done} is (0..10), or 0 when the total is unknown. */
  private long tenth(long done) {
    return total > 0 ? Math.min(10, Math.max(0, done) * 10 / total) : 0;
  }

  private String line(long now, boolean last) {
    long runNanos = now - t0;
    Duration elapsed = elapsedBefore.plusNanos(runNanos);
    StringBuilder sb = new StringBuilder(task).append(": ");
    if (last) {
      sb.append(total > 0 && current < total ? "stopped at " : "done, ");
    }
    sb.append(current);
    if (total > 0) {
      sb.append('/').append(total).append(" (").append(Math.max(0, current) * 100 / total).append(" %)");
    }
    sb.append(last ? " in " : ", ").append(format(elapsed));
    if (!last) {
      sb.append(" elapsed");
      if (total > 0) {
        long doneHere = current - start;
        sb.append(", ETA ").append(doneHere > 0 && current <= total
            ? format(Duration.ofNanos((long) ((double) runNanos / doneHere * (total - current))))
            : "?");
      }
    }
    if (!extra.isEmpty()) {
      sb.append(", ").append(extra);
    }
    for (int i = 0; i < sb.length(); i++) {
      char c = sb.charAt(i);
      if (c == '\r' || c == '\n') {
        sb.setCharAt(i, ' ');
      }
    }
    return sb.length() <= MAX_LINE ? sb.toString() : sb.substring(0, MAX_LINE - 3) + "...";
  }

  private void print(String line) {
    out.println(line);
    out.flush();
  }

  /** H:MM:SS, as the progress bar shows times. */
  static String format(Duration d) {
    long s = Math.max(0, d.getSeconds());
    return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
  }
}
