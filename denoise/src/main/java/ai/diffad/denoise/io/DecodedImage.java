package ai.diffad.denoise.io;

/**
 * An image as the engine sees it: planar (C, H, W) floats in [-1, 1] with C = 1 (gray) or 3 (RGB),
 * plus what is needed to write results back like the input (bit depth, alpha, format).
 *
 * @param data planar samples in [-1, 1], length channels * height * width
 * @param alpha the source's alpha plane in [-1, 1] (length height * width), or null without alpha
 * @param channels 1 or 3: the colour planes in {@code data}
 * @param height rows
 * @param width columns
 * @param bitDepth 8 or 16, the source's sample depth
 * @param sourceChannels channels stored in the source: 1 gray, 3 RGB, 4 RGBA
 * @param format the container the image came in (outputs use it where the caller asks)
 */
public record DecodedImage(
    float[] data,
    float[] alpha,
    int channels,
    int height,
    int width,
    int bitDepth,
    int sourceChannels,
    ImageFormat format) {

  // ITU-R BT.601 luma, the weights OpenCV's RGB2GRAY uses, so gray inputs match OpenCV's own.
  private static final float WR = 0.299f;
  private static final float WG = 0.587f;
  private static final float WB = 0.114f;

  /** Validates the sizes. */
  public DecodedImage {
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
    }
    if (data.length != channels * height * width) {
      throw new IllegalArgumentException("data has " + data.length + " values, expected "
          + channels + "x" + height + "x" + width);
    }
    if (alpha != null && alpha.length != height * width) {
      throw new IllegalArgumentException("alpha has " + alpha.length + " values, expected "
          + height + "x" + width);
    }
    if (bitDepth != 8 && bitDepth != 16) {
      throw new IllegalArgumentException("bitDepth must be 8 or 16, got " + bitDepth);
    }
  }

  /** Whether the source carried an alpha channel. */
  public boolean hasAlpha() {
    return alpha != null;
  }

  /** height * width. */
  public int pixels() {
    return height * width;
  }

  /**
   * The colour planes with {@code wanted} channels, as the model takes them: gray is replicated to
   * RGB; RGB becomes gray by BT.601 luma. Returns {@code data} itself when nothing changes.
   */
  public float[] planes(int wanted) {
    return convert(data, channels, wanted, pixels());
  }

  /** This image with {@code wanted} colour planes (see {@link #planes}); alpha is kept. */
  public DecodedImage withChannels(int wanted) {
    if (wanted == channels) {
      return this;
    }
    return new DecodedImage(planes(wanted), alpha, wanted, height, width, bitDepth,
        sourceChannels, format);
  }

  /**
   * Converts planar data between 1 and 3 channels (gray replicated; RGB to BT.601 luma).
   *
   * @param hw pixels per plane
   */
  public static float[] convert(float[] data, int from, int to, int hw) {
    if (to != 1 && to != 3) {
      throw new IllegalArgumentException("channels must be 1 or 3, got " + to);
    }
    if (from == to) {
      return data;
    }
    if (from == 1) {
      float[] out = new float[3 * hw];
      System.arraycopy(data, 0, out, 0, hw);
      System.arraycopy(data, 0, out, hw, hw);
      System.arraycopy(data, 0, out, 2 * hw, hw);
      return out;
    }
    if (from != 3) {
      throw new IllegalArgumentException("channels must be 1 or 3, got " + from);
    }
    float[] out = new float[hw];
    for (int i = 0; i < hw; i++) {
      out[i] = WR * data[i] + WG * data[hw + i] + WB * data[2 * hw + i];
    }
    return out;
  }
}
