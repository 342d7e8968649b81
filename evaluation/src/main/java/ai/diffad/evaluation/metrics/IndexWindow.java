package ai.diffad.evaluation.metrics;

/**
 * A labelled window of a series as row indices, both ends inclusive.
 *
 * @param start first row in the window
 * @param end last row in the window, {@code >= start}
 */
public record IndexWindow(int start, int end) {
  /** Checks {@code 0 <= start <= end}. */
  public IndexWindow {
    if (start < 0 || end < start) {
      throw new IllegalArgumentException("window needs 0 <= start <= end, got [" + start + ", "
          + end + "]");
    }
  }

  /** Number of rows in the window. */
  public int length() {
    return end - start + 1;
  }
}
