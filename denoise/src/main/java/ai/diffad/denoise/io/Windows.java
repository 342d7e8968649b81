package ai.diffad.denoise.io;

import ai.diffad.denoise.record.RejectReason;
import ai.diffad.denoise.record.RejectedInputException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A series cut into windows of length L with stride S. Windows start at 0, S, 2S, ...; when the
 * last of them stops short of the end, one more window aligned to the end is added, so every time
 * step lies in at least one window. A stride longer than the window is shortened to the window
 * length, since it would leave steps between windows unscored. Window data are normalised with the training statistics and
 * laid out (C, L), the network's NCL input without the batch axis.
 *
 * @param starts first time step of each window, ascending
 * @param windows normalised (C, L) values of each window
 * @param channels C
 * @param window L
 * @param seriesLength time steps of the series the windows came from
 */
public record Windows(int[] starts, List<float[]> windows, int channels, int window,
    int seriesLength) {

  /** Copies the list. */
  public Windows {
    windows = List.copyOf(windows);
    if (starts.length != windows.size()) {
      throw new IllegalArgumentException(starts.length + " starts for " + windows.size()
          + " windows");
    }
  }

  /** Number of windows. */
  public int count() {
    return starts.length;
  }

  /**
   * Window start positions for a series of {@code length} steps.
   *
   * @throws IllegalArgumentException if length &lt; window or window, stride &lt; 1
   */
  public static int[] starts(int length, int window, int stride) {
    if (window < 1 || stride < 1) {
      throw new IllegalArgumentException("window and stride must be >= 1, got " + window
          + ", " + stride);
    }
    if (length < window) {
      throw new IllegalArgumentException("series of " + length + " steps is shorter than one window ("
          + window + ")");
    }
    int step = Math.min(stride, window); // a longer stride would skip the steps between windows
    int n = (length - window) / step + 1;
    int last = (n - 1) * step;
    boolean tail = last + window < length;
    int[] s = new int[n + (tail ? 1 : 0)];
    for (int i = 0; i < n; i++) {
      s[i] = i * step;
    }
    if (tail) {
      s[n] = length - window;
    }
    return s;
  }

  /**
   * Rows {@code from} (inclusive) to {@code to} (exclusive) of every channel of a channel-major
   * (C, n) series, as a new channel-major (C, to - from) array.
   */
  public static float[] rows(float[] series, int channels, int from, int to) {
    if (channels == 1) {
      return Arrays.copyOfRange(series, from, to);
    }
    int n = series.length / channels;
    int len = to - from;
    float[] out = new float[channels * len];
    for (int c = 0; c < channels; c++) {
      System.arraycopy(series, c * n + from, out, c * len, len);
    }
    return out;
  }

  /**
   * Cuts a series into normalised windows.
   *
   * @throws RejectedInputException TOO_SHORT if the series is shorter than one window,
   *     UNSUPPORTED_SHAPE if its channels differ from the statistics'
   */
  public static Windows cut(SensorSeries series, int window, int stride, SensorStats stats)
      throws RejectedInputException {
    if (series.length() < window) {
      throw new RejectedInputException(RejectReason.TOO_SHORT, "series has " + series.length()
          + " time steps, fewer than one window of " + window);
    }
    series.requireChannels(stats.channels());
    float[] norm = stats.normalise(series);
    int c = series.channels();
    int len = series.length();
    int[] s = starts(len, window, stride);
    List<float[]> out = new ArrayList<>(s.length);
    for (int start : s) {
      float[] w = new float[c * window];
      for (int k = 0; k < c; k++) {
        System.arraycopy(norm, k * len + start, w, k * window, window);
      }
      out.add(w);
    }
    return new Windows(s, out, c, window, len);
  }

  /**
   * Folds per-window, per-step values (for example reconstruction errors, each of length L) back
   * onto the series' time axis, averaging where windows overlap.
   *
   * @param perWindow one array of length L per window, in window order
   * @return one value per time step of the series
   */
  public float[] stitch(List<float[]> perWindow) {
    if (perWindow.size() != count()) {
      throw new IllegalArgumentException(perWindow.size() + " arrays for " + count() + " windows");
    }
    double[] sum = new double[seriesLength];
    int[] n = new int[seriesLength];
    for (int i = 0; i < count(); i++) {
      float[] v = perWindow.get(i);
      if (v.length != window) {
        throw new IllegalArgumentException("array " + i + " has " + v.length + " values, expected "
            + window);
      }
      for (int t = 0; t < window; t++) {
        sum[starts[i] + t] += v[t];
        n[starts[i] + t]++;
      }
    }
    float[] out = new float[seriesLength];
    for (int t = 0; t < seriesLength; t++) {
      out[t] = (float) (sum[t] / n[t]);
    }
    return out;
  }
}
