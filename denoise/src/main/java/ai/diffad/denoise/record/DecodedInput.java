package ai.diffad.denoise.record;

/**
 * An input ready for the model: decoded, validated and converted to the model's channels (images)
 * or normalised with the training statistics (series). What flows from decode to micro-batch to
 * score; a Java record, so Flink serializes it as a POJO (no Kryo).
 *
 * @param id the input's id
 * @param source its feed, or null
 * @param kind {@code image} or {@code series}
 * @param data planar (C, H, W) in [-1, 1] for images; channel-major (C, L) normalised values for
 *     series
 * @param channels C
 * @param height H (1 for a series)
 * @param width W (L for a series)
 * @param decodeMs time spent decoding
 * @param receivedAt epoch milliseconds when decode took the input in (0: unknown); the start of
 *     the end-to-end latency the scorer measures
 */
public record DecodedInput(String id, String source, String kind, float[] data, int channels,
    int height, int width, double decodeMs, long receivedAt) {

  /** An input without an arrival time. */
  public DecodedInput(String id, String source, String kind, float[] data, int channels,
      int height, int width, double decodeMs) {
    this(id, source, kind, data, channels, height, width, decodeMs, 0L);
  }

  /** Kind of an image input. */
  public static final String IMAGE = "image";
  /** Kind of a series input. */
  public static final String SERIES = "series";

  /** Whether this is a series. */
  public boolean isSeries() {
    return SERIES.equals(kind);
  }

  @Override
  public String toString() {
    return "DecodedInput[" + id + ", " + kind + " " + channels + "x" + height + "x" + width + "]";
  }
}
