package ai.diffad.denoise.io;

import ai.diffad.config.DataConfig;
import ai.diffad.config.SeriesContext;
import ai.diffad.denoise.record.RejectReason;
import ai.diffad.denoise.record.RejectedInputException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;

/**
 * The daily context channels of a series ({@link SeriesContext#DAILY}): for each value channel a
 * channel whose row r holds the mean of that channel at rows r - d * rowsPerDay, d = 1, 2, ...
 * (the same time of day on every earlier day), or 0 where there is no earlier day. Rows per day
 * come from the median step between timestamps, so gaps and a few irregular rows do not move it.
 * Row r's context reads rows before r only: a causal scorer may use it. Training (the NAB
 * training set), evaluation and scoring ({@code score}, the streaming job) build it here only.
 */
public final class DailyContext {
  private static final double DAY_SECONDS = 86_400.0;

  private DailyContext() {}

  /**
   * Rows per day of a series sampled at {@code epochSeconds}: round(86400 s / the median positive
   * step), at least 1; 1 when there are fewer than two distinct timestamps.
   */
  public static int rowsPerDay(long[] epochSeconds) {
    long[] steps = new long[Math.max(0, epochSeconds.length - 1)];
    int n = 0;
    for (int i = 1; i < epochSeconds.length; i++) {
      long d = epochSeconds[i] - epochSeconds[i - 1];
      if (d > 0) {
        steps[n++] = d;
      }
    }
    if (n == 0) {
      return 1;
    }
    Arrays.sort(steps, 0, n);
    long median = steps[n / 2];
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.round(DAY_SECONDS / median)));
  }

  /** {@link #rowsPerDay(long[])} of local date-times (read as UTC). */
  public static int rowsPerDay(LocalDateTime[] timestamps) {
    long[] s = new long[timestamps.length];
    for (int i = 0; i < s.length; i++) {
      s[i] = timestamps[i].toEpochSecond(ZoneOffset.UTC);
    }
    return rowsPerDay(s);
  }

  /**
   * {@link #rowsPerDay(long[])} of a timestamp column: {@code yyyy-MM-dd HH:mm:ss[.f]} (NAB's),
   * ISO-8601 with or without an offset, or numbers (epoch seconds).
   *
   * @throws RejectedInputException MALFORMED naming the first timestamp that is none of these
   */
  public static int rowsPerDay(List<String> timestamps) throws RejectedInputException {
    long[] s = new long[timestamps.size()];
    for (int i = 0; i < s.length; i++) {
      s[i] = epochSecond(timestamps.get(i), i);
    }
    return rowsPerDay(s);
  }

  private static long epochSecond(String text, int row) throws RejectedInputException {
    String t = text.trim();
    try {
      return (long) Math.floor(Double.parseDouble(t));
    } catch (NumberFormatException notANumber) {
      // a date
    }
    if (t.length() > 10 && t.charAt(10) == ' ') {
      t = t.substring(0, 10) + 'T' + t.substring(11);
    }
    try {
      return LocalDateTime.parse(t).toEpochSecond(ZoneOffset.UTC);
    } catch (DateTimeParseException local) {
      try {
        return OffsetDateTime.parse(t).toEpochSecond();
      } catch (DateTimeParseException e) {
        throw new RejectedInputException(RejectReason.MALFORMED, "timestamp of row " + (row + 1)
            + " is '" + text + "': the daily context (data.context daily) needs yyyy-MM-dd"
            + " HH:mm:ss, ISO-8601 or epoch seconds");
      }
    }
  }

  /**
   * The series with its daily context channels after its value channels.
   *
   * @param values (C, L) channel-major
   * @param channels C
   * @param length L
   * @param rowsPerDay rows per day ({@link #rowsPerDay(long[])})
   * @return (2C, L): the values, then per channel its context
   */
  public static float[] append(float[] values, int channels, int length, int rowsPerDay) {
    if (values.length != (long) channels * length || rowsPerDay < 1) {
      throw new IllegalArgumentException(values.length + " values as " + channels + " x "
          + length + " with " + rowsPerDay + " rows per day");
    }
    float[] out = Arrays.copyOf(values, 2 * channels * length);
    int lag = rowsPerDay;
    // sum[r] and count[r]: the channel's rows r, r - lag, r - 2 lag, ... (one running sum per
    // time of day), so the context of row r is sum[r - lag] / count[r - lag].
    double[] sum = new double[length];
    int[] count = new int[length];
    for (int c = 0; c < channels; c++) {
      int in = c * length;
      int ctx = (channels + c) * length;
      for (int r = 0; r < length; r++) {
        if (r >= lag) {
          out[ctx + r] = (float) (sum[r - lag] / count[r - lag]);
          sum[r] = sum[r - lag] + values[in + r];
          count[r] = count[r - lag] + 1;
        } else {
          out[ctx + r] = 0f;
          sum[r] = values[in + r];
          count[r] = 1;
        }
      }
    }
    return out;
  }

  /**
   * The input of a series model from a series read from a file or a record: normalised by {@code
   * stats} (the model's; null: the series' own) as it is when it already has the model's channels
   * (the context supplied, or a model without context), or its value channels normalised and the
   * context the model's data.context asks for built from the series' timestamps.
   *
   * @param channels the model's channels (data.channels)
   * @param context the model's data.context
   * @param stats the model's channel statistics, or null to use the series' own
   * @param s the series, raw
   * @return (C, L) normalised, channel-major, C = {@code channels}
   * @throws RejectedInputException UNSUPPORTED_SHAPE for a channel count the model cannot take or a
   *     series without timestamps where the context must be built; MALFORMED for a timestamp
   *     that cannot be read
   */
  public static float[] modelInput(int channels, SeriesContext context, SensorStats stats,
      SensorSeries s) throws RejectedInputException {
    if (s.channels() == channels) {
      return (stats != null ? stats : SensorStats.of(List.of(s))).normalise(s);
    }
    if (context == SeriesContext.NONE) {
      s.requireChannels(channels);
    }
    int values = channels / 2;
    if (s.channels() != values) {
      throw new RejectedInputException(RejectReason.UNSUPPORTED_SHAPE, "series has "
          + s.channels() + " value column(s), the model takes " + channels + " or " + values
          + " with timestamps (data.context " + context.spelling() + ")");
    }
    if (s.timestamps() == null) {
      throw new RejectedInputException(RejectReason.UNSUPPORTED_SHAPE, "the model builds its "
          + context.spelling() + " context channel from the timestamps (data.context) and this"
          + " series has none: add a timestamp column, or give all " + channels
          + " channels, the context included");
    }
    SensorStats st = stats != null ? stats.head(values) : SensorStats.of(List.of(s));
    return append(st.normalise(s), values, s.length(), rowsPerDay(s.timestamps()));
  }

  /** {@link #modelInput(int, SeriesContext, SensorStats, SensorSeries)} of a data section. */
  public static float[] modelInput(DataConfig data, SensorStats stats, SensorSeries s)
      throws RejectedInputException {
    return modelInput(data.channels(), data.context(), stats, s);
  }
}
