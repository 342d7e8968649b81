package ai.diffad.denoise.io;

import ai.diffad.denoise.record.RejectReason;
import ai.diffad.denoise.record.RejectedInputException;
import java.util.List;

/**
 * A multichannel time series as read from a sensor file, in raw (un-normalised) units.
 *
 * @param values channel-major (C, L): channel c's value at step t is {@code values[c * length + t]}
 * @param channels C >= 1
 * @param length L >= 1 time steps
 * @param timestamps the timestamp column's text per step (L entries), or null when the file has
 *     none
 */
public record SensorSeries(float[] values, int channels, int length, List<String> timestamps) {
  /** Validates the sizes. */
  public SensorSeries {
    if (channels < 1 || length < 1) {
      throw new IllegalArgumentException("need channels >= 1 and length >= 1, got "
          + channels + "x" + length);
    }
    if (values.length != (long) channels * length) {
      throw new IllegalArgumentException("values has " + values.length + " entries, expected "
          + channels + "x" + length);
    }
    if (timestamps != null) {
      if (timestamps.size() != length) {
        throw new IllegalArgumentException("timestamps has " + timestamps.size()
            + " entries, expected " + length);
      }
      timestamps = List.copyOf(timestamps);
    }
  }

  /** Channel {@code c}'s value at step {@code t}. */
  public float value(int c, int t) {
    return values[c * length + t];
  }

  /**
   * Checks that the series has the channels a model was trained on.
   *
   * @throws RejectedInputException UNSUPPORTED_SHAPE naming both channel counts
   */
  public void requireChannels(int expected) throws RejectedInputException {
    if (channels != expected) {
      throw new RejectedInputException(RejectReason.UNSUPPORTED_SHAPE,
          "series has " + channels + " value column(s), the model takes " + expected);
    }
  }
}
