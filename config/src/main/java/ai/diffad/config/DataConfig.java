package ai.diffad.config;

/**
 * What the model sees. Images are scaled to [-1, 1] (x / max * 2 - 1) before the network.
 *
 * @param format images (folder, recursive), mvtec (category folder; train/good is used),
 *     mnist-idx (idx[.gz] image file or its folder), sensor (series; windows)
 * @param channels 1 (gray) or 3 (RGB) for images; sensor dimensions for series
 * @param size network input: square crop side for images, window length for sensors
 * @param resize images are first resized so that their shorter side is this many pixels (0: keep)
 * @param flips random horizontal and vertical flips in training
 * @param rotations random 90-degree rotations in training
 * @param stride window stride for sensor series
 * @param padTo for mnist-idx: pad the 28x28 digits to this side (0: keep)
 */
public record DataConfig(
    DataFormat format,
    Integer channels,
    Integer size,
    Integer resize,
    Boolean flips,
    Boolean rotations,
    Integer stride,
    Integer padTo) {

  /** Validates and fills defaults. */
  public DataConfig {
    format = format == null ? DataFormat.IMAGES : format;
    channels = channels == null ? 1 : channels;
    size = size == null ? 64 : size;
    resize = resize == null ? 0 : resize;
    flips = flips == null ? Boolean.TRUE : flips;
    rotations = rotations == null ? Boolean.FALSE : rotations;
    stride = stride == null ? Math.max(1, size / 4) : stride;
    padTo = padTo == null ? 0 : padTo;
    if (format == DataFormat.SENSOR) {
      Check.inRange("channels", channels, 1, 4096);
    } else if (channels != 1 && channels != 3) {
      throw new ConfigException("channels", "must be one of [1, 3] for images, got " + channels);
    }
    Check.inRange("size", size, 4, 65_536);
    Check.nonNegative("resize", (long) resize);
    if (resize != 0 && resize < size) {
      throw new ConfigException("resize", "must be 0 or >= size (" + size + "), got " + resize);
    }
    Check.inRange("stride", stride, 1, size);
    Check.nonNegative("padTo", (long) padTo);
  }
}
