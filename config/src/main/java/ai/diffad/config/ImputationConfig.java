package ai.diffad.config;

import java.util.List;

/**
 * Trains the series network as an imputer (ImDiffusion, Chen et al., VLDB 2024) instead of a plain
 * denoiser: per training window some rows are masked; the network sees the noised masked rows,
 * the clean unmasked rows and the mask (2C + 1 input channels; 3C with {@code sensor} masks or
 * context channels, see {@link DiffadConfig#maskChannels}) and learns the noise of the masked
 * rows only. Scored with {@code map: imputation}: the rows a scoring mask hides are imputed from
 * the rest, and the imputation error is the anomaly score (a level shift or a spike cannot be
 * copied from rows the network does not see).
 *
 * @param masks the mask kinds drawn with equal probability per training window (default
 *     [last, grating]: both the causal forecast mask and the two-sided one)
 * @param lastRows rows hidden by the {@code last} mask, 1 .. data.size - 1 (default 16)
 * @param strips strips of the {@code grating} mask, 2 .. data.size (default 8); its width is
 *     data.size / strips rows
 * @param ratio share of rows hidden by the {@code random} mask, in (0, 1) (default 0.25)
 */
public record ImputationConfig(List<MaskKind> masks, Integer lastRows, Integer strips,
    Double ratio) {
  /** Default rows of the last mask. */
  public static final int DEFAULT_LAST_ROWS = 16;
  /** Default strips of the grating mask. */
  public static final int DEFAULT_STRIPS = 8;
  /** Default share of the random mask. */
  public static final double DEFAULT_RATIO = 0.25;

  /** Validates and fills defaults. */
  public ImputationConfig {
    masks = masks == null ? List.of(MaskKind.LAST, MaskKind.GRATING) : List.copyOf(masks);
    if (masks.isEmpty()) {
      throw new ConfigException("masks", "must name at least one of " + Check.allowed(
          MaskKind.class));
    }
    lastRows = lastRows == null ? DEFAULT_LAST_ROWS : lastRows;
    strips = strips == null ? DEFAULT_STRIPS : strips;
    ratio = ratio == null ? DEFAULT_RATIO : ratio;
    Check.positive("lastRows", lastRows);
    Check.inRange("strips", strips, 2, 1 << 20);
    if (!(ratio > 0 && ratio < 1)) {
      throw new ConfigException("ratio", "must be in (0, 1), got " + ratio);
    }
  }

  /** The defaults. */
  public static ImputationConfig defaults() {
    return new ImputationConfig(null, null, null, null);
  }

  /** Checks the masks against windows of {@code valueChannels} value channels x {@code size}. */
  void checkFor(int valueChannels, int size) {
    if (masks.contains(MaskKind.SENSOR) && valueChannels < 2) {
      throw new ConfigException("masks", "sensor needs at least 2 value channels (data.channels),"
          + " got " + valueChannels);
    }
    if (lastRows >= size) {
      throw new ConfigException("lastRows", "must be below data.size (" + size + "), got "
          + lastRows);
    }
    if (strips > size) {
      throw new ConfigException("strips", "must be at most data.size (" + size + "), got "
          + strips);
    }
  }
}
