package ai.diffad.cli.demo;

import ai.diffad.denoise.record.JsonLines;
import ai.diffad.denoise.run.ScoreRun;
import ai.diffad.flink.config.StreamConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Phase 4: the streaming job of {@code diffad stream} on a local MiniCluster over the watched
 * folder, while a {@link Feeder} drops the files into it and a monitor reports progress; the job
 * stops by itself once idle for {@link #IDLE_SECONDS}.
 */
public final class DemoStream {
  /** Seconds without progress (and nothing in flight) after which the job is stopped. */
  public static final double IDLE_SECONDS = 4;
  /** How long the feeder may still take once the job has stopped. */
  static final long FEEDER_GRACE_MILLIS = TimeUnit.SECONDS.toMillis(10);
  /** Seconds between two progress lines (printed only when something changed). */
  static final long MONITOR_MILLIS = 2000;

  private static final Pattern WEB_UI = Pattern.compile("Flink web UI: (http://[^;\\s]+)");
  private static final Pattern DASHBOARD = Pattern.compile("dashboard: (http://[^;\\s]+)");
  private static final String JOB_STARTED = "diffad stream: job ";

  private DemoStream() {}

  /** Runs a command line ({@code diffad stream ...}) with the given output and error writers. */
  @FunctionalInterface
  public interface Launcher {
    int run(PrintWriter out, PrintWriter err, String... args) throws Exception;
  }

  /**
   * What the streaming run left.
   *
   * @param code the job's exit code
   * @param webUi the Flink web UI it reported (null if none)
   * @param dashboard the dashboard it reported (null if none)
   * @param dropped files the feeder dropped
   * @param feedSeconds seconds from the first drop to the last (0 if it did not finish)
   */
  public record Run(int code, String webUi, String dashboard, int dropped, double feedSeconds) {}

  /**
   * Writes {@code config} to {@code yaml}, runs the job with it, and feeds the files of
   * {@code drops} into its watched folder {@code dropInterval} seconds apart (see {@link Feeder}).
   * The feeder and the monitor are stopped and joined before this returns, also on failure.
   */
  public static Run run(StreamConfig config, Path yaml, DemoData data, double dropInterval,
      Launcher launcher, DemoLog log) throws Exception {
    Path incoming = config.source().directory().path();
    Path results = config.outputs().dir();
    DemoStreamConfig.write(config, yaml);
    Files.createDirectories(incoming);
    log.phase(4, String.format(Locale.ROOT, "streaming: diffad stream --config %s --until-idle %.0f; dropping"
        + " %d files (2 of them bad) into %s, %d every %.2f s", DemoLog.show(yaml), IDLE_SECONDS,
        data.drops().size(), DemoLog.show(incoming), Feeder.DROP_BATCH, dropInterval));

    Feeder feeder = new Feeder(data.drops(), incoming, dropInterval, log);
    AtomicReference<String> webUi = new AtomicReference<>();
    AtomicReference<String> dashboard = new AtomicReference<>();
    PrintWriter jobOut = new PrintWriter(new LineWriter(line -> {
      Matcher m = WEB_UI.matcher(line);
      if (m.find()) {
        webUi.set(m.group(1));
      }
      Matcher d = DASHBOARD.matcher(line);
      if (d.find()) {
        dashboard.set(d.group(1));
      }
      if (line.startsWith(JOB_STARTED)) {
        feeder.begin();
      }
      log.detail(line);
    }), true);
    PrintWriter jobErr = new PrintWriter(new LineWriter(log::line), true);
    int code;
    try (feeder; Monitor monitor = new Monitor(feeder, results, log)) {
      feeder.start();
      monitor.start();
      code = launcher.run(jobOut, jobErr, "stream", "--config", yaml.toString(), "--until-idle",
          String.format(Locale.ROOT, "%.1f", IDLE_SECONDS));
      if (code == 0) {
        feeder.awaitDone(FEEDER_GRACE_MILLIS);
      }
    }
    return new Run(code, webUi.get(), dashboard.get(), feeder.dropped(), feeder.feedSeconds());
  }

  /** Every 2 s, the files dropped and the records written so far, when they changed. */
  private static final class Monitor implements AutoCloseable {
    private final Thread thread;

    Monitor(Feeder feeder, Path results, DemoLog log) {
      thread = new Thread(() -> {
        String last = "";
        try {
          while (!Thread.currentThread().isInterrupted()) {
            Thread.sleep(MONITOR_MILLIS);
            String now = String.format(Locale.ROOT, "dropped %d/%d files, results so far: %d scored,"
                + " %d rejected", feeder.dropped(), feeder.total(), records(results.resolve(ScoreRun.SCORES)),
                records(results.resolve(ScoreRun.REJECTED)));
            if (!now.equals(last)) {
              log.detail(now);
              last = now;
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "demo-progress");
      thread.setDaemon(true);
    }

    void start() {
      thread.start();
    }

    @Override
    public void close() {
      Feeder.stopAndJoin(thread);
    }

    private static int records(Path file) {
      try {
        return JsonLines.readLines(file).size();
      } catch (IOException | RuntimeException e) {
        return 0;
      }
    }
  }

  /** A writer that hands over whole lines. */
  static final class LineWriter extends Writer {
    private final StringBuilder line = new StringBuilder();
    private final Consumer<String> onLine;

    LineWriter(Consumer<String> onLine) {
      this.onLine = onLine;
    }

    @Override
    public synchronized void write(char[] buf, int off, int len) {
      for (int i = off; i < off + len; i++) {
        char c = buf[i];
        if (c == '\n') {
          onLine.accept(line.toString());
          line.setLength(0);
        } else if (c != '\r') {
          line.append(c);
        }
      }
    }

    @Override
    public synchronized void flush() {}

    @Override
    public synchronized void close() {
      if (line.length() > 0) {
        onLine.accept(line.toString());
        line.setLength(0);
      }
    }
  }
}
