package ai.diffad.config;

import java.util.List;
import java.util.Locale;

/**
 * The detector of a profile (DESIGN.md, "The detector"): the diffusion U-Net is trained to remove
 * synthetic anomalies (its noise target is measured against the clean crop, so its one-step x0
 * estimate is the clean image) and a segmentation U-Net on concat(input, x0 estimate) learns the
 * mask of the anomaly. Both are trained jointly by one loop; both ship in the model directory.
 *
 * <p>Synthesis per crop: with probability {@code cleanShare} the crop is left clean (empty mask);
 * otherwise one of {@code sources} is drawn. {@code perlin}, {@code shuffle} and {@code texture}
 * fill a Perlin-noise mask (scales 2^{@code perlinScales[0]}..2^{@code perlinScales[1]} per axis,
 * rotated by a random angle, thresholded at {@code perlinThreshold}) with the Perlin field
 * itself, the crop's own 8x8 grid of patches shuffled, or a crop of a foreign texture from the
 * folder {@code textures}; {@code strokes} draws thin curved strokes and small blobs darker or
 * brighter than the texture, the stroke itself being the mask. The anomaly is blended in with
 * opacity beta drawn uniformly from {@code beta} (1: the source replaces the crop under the mask).
 *
 * @param sources anomaly sources drawn with equal probability: perlin, shuffle, strokes, texture
 * @param textures folder of foreign texture images for the {@code texture} source (optional;
 *     relative paths are resolved against the working directory)
 * @param cleanShare share of crops left clean, in [0, 1)
 * @param beta opacity range [lo, hi] of the blended anomaly, within [0, 1]
 * @param perlinScales exponent range [lo, hi] of the Perlin lattice per axis, within [0, 6]
 * @param perlinThreshold the Perlin mask is where the field exceeds this, in (-1, 1)
 * @param tRange training steps [lo, hi) at which the anomalous crop is noised
 * @param segmentation the segmentation U-Net (inputs 2 x channels, one output channel)
 * @param focalGamma focal-loss exponent
 * @param focalWeight weight of the focal loss
 * @param diceWeight weight of the soft dice loss
 * @param snrCap cap of the signal-to-noise weight of the denoiser's loss (min-SNR weighting):
 *     the anomaly-removing noise target grows as 1/sqrt(1 - abar) at small t, the cap keeps that
 *     loss bounded
 */
public record DetectorConfig(
    List<String> sources,
    String textures,
    Double cleanShare,
    List<Double> beta,
    List<Integer> perlinScales,
    Double perlinThreshold,
    List<Integer> tRange,
    NetworkConfig segmentation,
    Double focalGamma,
    Double focalWeight,
    Double diceWeight,
    Double snrCap) {
  /** The anomaly sources. */
  public static final List<String> SOURCES = List.of("perlin", "shuffle", "strokes", "texture");

  /** Validates and fills defaults. */
  public DetectorConfig {
    sources = sources == null ? List.of("perlin", "shuffle", "strokes") : List.copyOf(sources);
    if (sources.isEmpty()) {
      throw new ConfigException("sources", "must name at least one of " + SOURCES);
    }
    for (int i = 0; i < sources.size(); i++) {
      String s = sources.get(i).toLowerCase(Locale.ROOT);
      if (!SOURCES.contains(s)) {
        throw new ConfigException("sources[" + i + "]", "must be one of " + SOURCES + ", got '"
            + sources.get(i) + "'");
      }
    }
    sources = sources.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
    if (sources.contains("texture") && (textures == null || textures.isBlank())) {
      throw new ConfigException("textures", "is required when sources names texture (a folder"
          + " of texture images, e.g. ../shared/data/denoising_train/Train400)");
    }
    cleanShare = cleanShare == null ? 0.5 : cleanShare;
    Check.inHalfOpen("cleanShare", cleanShare, 0.0, 1.0);
    beta = range("beta", beta == null ? List.of(0.1, 1.0) : beta, 0.0, 1.0);
    perlinScales = perlinScales == null ? List.of(0, 5) : List.copyOf(perlinScales);
    if (perlinScales.size() != 2 || perlinScales.get(0) > perlinScales.get(1)) {
      throw new ConfigException("perlinScales", "must be [lo, hi] with lo <= hi, got "
          + perlinScales);
    }
    Check.inRange("perlinScales[0]", perlinScales.get(0), 0, 6);
    Check.inRange("perlinScales[1]", perlinScales.get(1), 0, 6);
    perlinThreshold = perlinThreshold == null ? 0.5 : perlinThreshold;
    if (!(perlinThreshold > -1 && perlinThreshold < 1)) {
      throw new ConfigException("perlinThreshold", "must be in (-1, 1), got " + perlinThreshold);
    }
    tRange = tRange == null ? List.of(0, 400) : List.copyOf(tRange);
    if (tRange.size() != 2 || tRange.get(0) < 0 || tRange.get(1) <= tRange.get(0)) {
      throw new ConfigException("tRange", "must be [lo, hi) with 0 <= lo < hi, got " + tRange);
    }
    segmentation = segmentation == null
        ? new NetworkConfig(NetworkKind.UNET2D, 16, List.of(1, 2, 4), 1, List.of(), 8, 0, 0.0)
        : segmentation;
    if (segmentation.kind() != NetworkKind.UNET2D || segmentation.numClasses() != 0) {
      throw new ConfigException("segmentation", "must be an unconditional unet2d");
    }
    focalGamma = focalGamma == null ? 2.0 : focalGamma;
    focalWeight = focalWeight == null ? 5.0 : focalWeight;
    diceWeight = diceWeight == null ? 1.0 : diceWeight;
    snrCap = snrCap == null ? 5.0 : snrCap;
    Check.inRange("focalGamma", focalGamma, 0.0, 10.0);
    Check.nonNegative("focalWeight", focalWeight);
    Check.nonNegative("diceWeight", diceWeight);
    if (focalWeight + diceWeight <= 0) {
      throw new ConfigException("focalWeight", "focalWeight and diceWeight must not both be 0");
    }
    Check.positive("snrCap", snrCap);
  }

  /** The defaults. */
  public static DetectorConfig defaults() {
    return new DetectorConfig(null, null, null, null, null, null, null, null, null, null, null,
        null);
  }

  /** This detector with other sources (and texture folder), for ablations. */
  public DetectorConfig withSources(List<String> newSources, String newTextures) {
    return new DetectorConfig(newSources, newTextures, cleanShare, beta, perlinScales,
        perlinThreshold, tRange, segmentation, focalGamma, focalWeight, diceWeight, snrCap);
  }

  /**
   * This detector with only the sources that need nothing from outside (the {@code texture}
   * source dropped; perlin alone if it was the only one), for synthesis where no texture folder is
   * at hand: benchmarks and the synthetic validation.
   */
  public DetectorConfig withoutForeignTextures() {
    List<String> own = sources.stream().filter(s -> !s.equals("texture")).toList();
    return withSources(own.isEmpty() ? List.of("perlin") : own, null);
  }

  private static List<Double> range(String field, List<Double> r, double lo, double hi) {
    if (r.size() != 2 || r.get(0) > r.get(1)) {
      throw new ConfigException(field, "must be [lo, hi] with lo <= hi, got " + r);
    }
    Check.inRange(field + "[0]", r.get(0), lo, hi);
    Check.inRange(field + "[1]", r.get(1), lo, hi);
    return List.copyOf(r);
  }
}
