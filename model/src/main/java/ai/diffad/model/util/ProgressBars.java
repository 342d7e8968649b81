package ai.diffad.model.util;

import java.io.PrintStream;
import java.time.Duration;
import java.util.function.UnaryOperator;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/**
 * Progress displays that suit where stderr goes: on a terminal the progress bar
 * (me.tongfei progressbar), otherwise ({@code System.console() == null}, as in CI, a log file or
 * {@code flink run}, or with {@value #ENV}={@code plain}) {@link PlainProgress}: a plain line every
 * tenth of the work or 30 s, instead of one endless line of carriage-return redraws.
 */
public final class ProgressBars {
  /** Environment variable; {@code plain} asks for plain lines even on a terminal. */
  public static final String ENV = "DIFFAD_PROGRESS";

  private ProgressBars() {}

  /** Whether progress is shown as plain lines rather than a bar. */
  public static boolean plain() {
    return "plain".equalsIgnoreCase(System.getenv(ENV)) || System.console() == null;
  }

  /**
   * A progress display of a task that starts at 0.
   *
   * @param task the task name (the bar's label, the lines' first word)
   * @param total units of work
   * @param look how the bar looks on a terminal (style, unit, consumer, ...; task, total and start
   *     are set here)
   */
  public static ProgressReporter open(String task, long total, UnaryOperator<ProgressBarBuilder> look) {
    return open(task, total, 0, Duration.ZERO, look);
  }

  /**
   * A progress display of a task resumed at {@code start} units done, which took
   * {@code elapsedBefore}.
   *
   * @see #open(String, long, UnaryOperator)
   */
  public static ProgressReporter open(String task, long total, long start, Duration elapsedBefore,
      UnaryOperator<ProgressBarBuilder> look) {
    if (plain()) {
      return new PlainProgress(task, total, start, elapsedBefore, System.err, System::nanoTime);
    }
    return new Bar(builder(task, total, start, elapsedBefore, look).build());
  }

  /**
   * A {@link ProgressBar} that shows as {@link #open} does (plain lines when not on a terminal),
   * for code that wants the bar's own type; {@link #open} is the simpler choice.
   */
  public static ProgressBar progressBar(String task, long total, UnaryOperator<ProgressBarBuilder> look) {
    ProgressBarBuilder b = builder(task, total, 0, Duration.ZERO, look);
    if (plain()) {
      // The bar's update thread hands its state to the plain reporter, which prints the lines;
      // the bar itself renders nothing.
      PrintStream err = System.err;
      PlainProgress lines = new PlainProgress(task, total, 0, Duration.ZERO, err, System::nanoTime);
      b.setRenderer((state, width) -> {
        // Liveness first: a periodic render that reads the count and then finds the bar closed
        // would close the lines at that stale count ("stopped at 719/800" after all 800 steps).
        // Read the other way round, a closed bar's count is read after the last step.
        boolean alive = state.isAlive();
        lines.setExtraMessage(state.getExtraMessage());
        lines.stepTo(state.getCurrent());
        if (!alive) {
          lines.close();
        }
        return "";
      });
      b.setConsumer(new DelegatingProgressBarConsumer(rendered -> {}, PlainProgress.MAX_LINE));
    }
    return b.build();
  }

  private static ProgressBarBuilder builder(String task, long total, long start,
      Duration elapsedBefore, UnaryOperator<ProgressBarBuilder> look) {
    return look.apply(new ProgressBarBuilder())
        .setTaskName(task)
        .setInitialMax(total)
        .startsFrom(start, elapsedBefore);
  }

  /** The progress bar. */
  private static final class Bar implements ProgressReporter {
    private final ProgressBar bar;
    private boolean closed;

    Bar(ProgressBar bar) {
      this.bar = bar;
    }

    @Override
    public void step() {
      bar.step();
    }

    @Override
    public void stepTo(long done) {
      bar.stepTo(done);
    }

    @Override
    public void setExtraMessage(String message) {
      bar.setExtraMessage(message == null ? "" : message);
    }

    @Override
    public synchronized void close() {
      if (!closed) {
        closed = true;
        bar.close();
      }
    }
  }
}
