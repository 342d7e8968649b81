package ai.diffad.model.util;

/**
 * Progress of a long task as the user sees it: a progress bar on a terminal, or a plain line now
 * and then in a log ({@link ProgressBars#open}).
 */
public interface ProgressReporter extends AutoCloseable {
  /** One more unit done. */
  void step();

  /** {@code done} units done in all (counting any a resumed task started from). */
  void stepTo(long done);

  /** A short message shown after the counts, e.g. the loss; null or empty for none. */
  void setExtraMessage(String message);

  /** Ends the display (a bar's last redraw, or the final plain line). Closing twice does nothing. */
  @Override
  void close();
}
