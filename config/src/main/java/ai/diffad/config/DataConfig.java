package ai.diffad.config;

/**
 * What the model sees. Images are scaled to [-1, 1] (x / max * 2 - 1) before the network.
 *
 * @param format images (folder, recursive), mvtec (category folder; train/good is used),
 *     mnist-idx (idx[.gz] image file or its folder), sensor (series; windows), nab (a NAB
 *     corpus: the probationary part of every series, each normalised on its own; see {@link
 *     DataFormat#NAB})
 * @param channels 1 (gray) or 3 (RGB) for images; sensor dimensions for series (1 for nab), plus
 *     the context channels of {@code context} (nab with daily context: 2; the default then)
 * @param size network input: square crop side for images, window length for sensors
 * @param resize images are first resized so that their shorter side is this many pixels (0: keep)
 * @param flips random horizontal and vertical flips in training
 * @param rotations random 90-degree rotations in training
 * @param stride window stride for sensor series
 * @param padTo for mnist-idx: pad the 28x28 digits to this side (0: keep)
 * @param holdout fraction of the training images (sorted by path) kept out of training so that a
 *     threshold can be fitted on normal images the model has not seen: every k-th image, k =
 *     round(1 / holdout); 0 keeps none. {@link #heldOut} is the one rule training and evaluation share.
 * @param context none (default) or daily (nab only): context channels after the value channels,
 *     built from each series' timestamps and earlier rows ({@link SeriesContext})
 */
public record DataConfig(
    DataFormat format,
    Integer channels,
    Integer size,
    Integer resize,
    Boolean flips,
    Boolean rotations,
    Integer stride,
    Integer padTo,
    Double holdout,
    SeriesContext context) {

  /** Without a context. */
  public DataConfig(DataFormat format, Integer channels, Integer size, Integer resize,
      Boolean flips, Boolean rotations, Integer stride, Integer padTo, Double holdout) {
    this(format, channels, size, resize, flips, rotations, stride, padTo, holdout, null);
  }

  /** Without a hold-out. */
  public DataConfig(DataFormat format, Integer channels, Integer size, Integer resize, Boolean flips,
      Boolean rotations, Integer stride, Integer padTo) {
    this(format, channels, size, resize, flips, rotations, stride, padTo, null, null);
  }

  /** Validates and fills defaults. */
  public DataConfig {
    format = format == null ? DataFormat.IMAGES : format;
    context = context == null ? SeriesContext.NONE : context;
    if (context != SeriesContext.NONE && format != DataFormat.NAB) {
      throw new ConfigException("context", context.spelling() + " needs data.format nab (series"
          + " with timestamps), got " + format.spelling() + "; allowed here: none");
    }
    channels = channels == null ? 1 + context.channels(1) : channels;
    size = size == null ? 64 : size;
    resize = resize == null ? 0 : resize;
    flips = flips == null ? Boolean.TRUE : flips;
    rotations = rotations == null ? Boolean.FALSE : rotations;
    stride = stride == null ? Math.max(1, size / 4) : stride;
    padTo = padTo == null ? 0 : padTo;
    holdout = holdout == null ? 0.0 : holdout;
    if (!(holdout >= 0 && holdout <= 0.5)) {
      throw new ConfigException("holdout", "must be in [0, 0.5], got " + holdout);
    }
    if (format == DataFormat.NAB) {
      int nab = 1 + context.channels(1);
      if (channels != nab) {
        throw new ConfigException("channels", "must be " + nab + " for nab with context "
            + context.spelling() + " (one value column" + (nab > 1 ? " and its context)" : ")")
            + ", got " + channels);
      }
    } else if (format == DataFormat.SENSOR) {
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

  /** The value channels: {@code channels} less the context channels. */
  public int valueChannels() {
    return context == SeriesContext.NONE ? channels : channels / 2;
  }

  /**
   * Whether the {@code index}-th training image (in path order) is held out of training: every
   * k-th, k = round(1 / holdout), counting from the k-th.
   */
  public boolean heldOut(int index) {
    if (holdout <= 0) {
      return false;
    }
    long k = Math.max(2, Math.round(1.0 / holdout));
    return index % k == k - 1;
  }
}
