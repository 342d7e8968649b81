package ai.diffad.cli.demo;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The demo's progress on standard error: the five phase lines ({@code demo [n/5] ...}) and the
 * indented detail lines under them. Safe to call from the feeder, the monitor and the job's output
 * at once (one line at a time).
 */
public final class DemoLog {
  /** Prefix of the summary lines (standard output) the test and users can rely on. */
  public static final String PREFIX = "diffad demo: ";
  /** Number of phases. */
  public static final int PHASES = 5;

  private final PrintWriter err;

  public DemoLog(PrintWriter err) {
    this.err = err;
  }

  /** {@code demo [n/5] text}. */
  public synchronized void phase(int n, String text) {
    line("demo [" + n + "/" + PHASES + "] " + text);
  }

  /** An indented detail line under the current phase. */
  public synchronized void detail(String text) {
    line("      " + text);
  }

  /** A line as it is (the streaming job's own errors, the demo's failure). */
  public synchronized void line(String text) {
    err.println(text);
    err.flush();
  }

  /** Seconds since {@code since} ({@link System#nanoTime()}). */
  public static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  /** {@code 42 s}, or {@code 3m 07s} from a minute on. */
  public static String duration(double s) {
    return s < 60 ? String.format(Locale.ROOT, "%.0f s", s)
        : String.format(Locale.ROOT, "%dm %02ds", (long) s / 60, (long) s % 60);
  }

  /** A path relative to the working folder when under it, else absolute. */
  public static String show(Path p) {
    Path abs = p.toAbsolutePath().normalize();
    Path cwd = Path.of("").toAbsolutePath();
    return abs.startsWith(cwd) && !abs.equals(cwd) ? cwd.relativize(abs).toString() : abs.toString();
  }
}
