package ai.diffad.config;

/**
 * How the engine reconstructs, scores and denoises (DESIGN.md, "The engine"). Every field has a
 * default; command-line options override single fields.
 *
 * @param tStar partial-noising step t* for anomaly scoring (0 &lt; t* &lt; T); default 250
 * @param noise noise used to reach t* (gaussian or simplex)
 * @param sampler reverse sampler (ddpm, ddim, sde)
 * @param steps network calls of the reverse process from t*; 1 = the one-step x0 estimate
 * @param eta DDIM eta (0 deterministic, 1 DDPM-like)
 * @param guidance DDAD weight w of the guidance toward the input (0: none)
 * @param seeds reconstructions averaged per input, each with its own noise seed
 * @param seed base seed of the partial-noising and step noise
 * @param batchSize network inputs (tiles) per network call
 * @param tileSize side of the square tiles images are cut into (0: the model's training size)
 * @param tileOverlap overlap between neighbouring tiles, as a fraction of the tile side, [0, 0.9]
 * @param map per-pixel error kind
 * @param mixWeights weights of L1, L2 and SSIM when map = mix
 * @param smoothSigma Gaussian smoothing of the map, in pixels of the input (0: none)
 * @param score how a map becomes a score
 * @param topKPercent share of pixels averaged by score = top-k, in (0, 100]
 * @param maxPixels decoded pixel count above which an image is rejected as TOO_LARGE
 * @param maxSensorValues largest sensor input (values) accepted
 * @param featureT for map = feature: the step at which input and reconstruction (noised alike)
 *     are passed through the network's encoder; default 50
 * @param featureLevels for map = feature: the encoder resolution levels compared (0 = full
 *     resolution, l = 1/2^l); default [1, 2]
 * @param padding pixels (at the working resolution) of reflection added around every image before
 *     it is tiled and cut away from the map afterwards, so that the network's own zero-padded
 *     borders fall outside the image; default 0
 */
public record EngineConfig(
    Integer tStar,
    NoiseConfig noise,
    SamplerKind sampler,
    Integer steps,
    Double eta,
    Double guidance,
    Integer seeds,
    Long seed,
    Integer batchSize,
    Integer tileSize,
    Double tileOverlap,
    MapKind map,
    java.util.List<Double> mixWeights,
    Double smoothSigma,
    ScoreReduction score,
    Double topKPercent,
    Long maxPixels,
    Long maxSensorValues,
    Integer featureT,
    java.util.List<Integer> featureLevels,
    Integer padding) {

  /** Without the feature-map settings (they take their defaults). */
  public EngineConfig(Integer tStar, NoiseConfig noise, SamplerKind sampler, Integer steps,
      Double eta, Double guidance, Integer seeds, Long seed, Integer batchSize, Integer tileSize,
      Double tileOverlap, MapKind map, java.util.List<Double> mixWeights, Double smoothSigma,
      ScoreReduction score, Double topKPercent, Long maxPixels, Long maxSensorValues) {
    this(tStar, noise, sampler, steps, eta, guidance, seeds, seed, batchSize, tileSize,
        tileOverlap, map, mixWeights, smoothSigma, score, topKPercent, maxPixels,
        maxSensorValues, null, null, null);
  }

  /** Default decompression-bomb guard: 64 megapixels. */
  public static final long DEFAULT_MAX_PIXELS = 64L * 1024 * 1024;

  /** Validates and fills defaults. */
  public EngineConfig {
    tStar = tStar == null ? 250 : tStar;
    noise = noise == null ? NoiseConfig.gaussian() : noise;
    sampler = sampler == null ? SamplerKind.DDIM : sampler;
    steps = steps == null ? 10 : steps;
    eta = eta == null ? 0.0 : eta;
    guidance = guidance == null ? 0.0 : guidance;
    seeds = seeds == null ? 1 : seeds;
    seed = seed == null ? 0L : seed;
    batchSize = batchSize == null ? 8 : batchSize;
    tileSize = tileSize == null ? 0 : tileSize;
    tileOverlap = tileOverlap == null ? 0.25 : tileOverlap;
    map = map == null ? MapKind.L1 : map;
    mixWeights = mixWeights == null ? java.util.List.of(1.0, 0.0, 1.0) : java.util.List.copyOf(mixWeights);
    smoothSigma = smoothSigma == null ? 4.0 : smoothSigma;
    score = score == null ? ScoreReduction.MAX : score;
    topKPercent = topKPercent == null ? 1.0 : topKPercent;
    maxPixels = maxPixels == null ? DEFAULT_MAX_PIXELS : maxPixels;
    maxSensorValues = maxSensorValues == null ? 100_000_000L : maxSensorValues;
    featureT = featureT == null ? 50 : featureT;
    featureLevels = featureLevels == null ? java.util.List.of(1, 2) : java.util.List.copyOf(featureLevels);
    Check.inRange("featureT", featureT, 0, 100_000);
    padding = padding == null ? 0 : padding;
    Check.inRange("padding", padding, 0, 4096);
    if (featureLevels.isEmpty()) {
      throw new ConfigException("featureLevels", "must name at least one level");
    }
    for (int i = 0; i < featureLevels.size(); i++) {
      Check.inRange("featureLevels[" + i + "]", featureLevels.get(i), 0, 16);
    }
    Check.positive("tStar", (long) tStar);
    Check.inRange("steps", steps, 1, 100_000);
    if (steps > tStar + 1) {
      throw new ConfigException("steps", "must be <= tStar + 1 (" + (tStar + 1) + "), got " + steps);
    }
    Check.inRange("eta", eta, 0.0, 1.0);
    Check.nonNegative("guidance", guidance);
    Check.inRange("seeds", seeds, 1, 1000);
    Check.inRange("batchSize", batchSize, 1, 4096);
    Check.nonNegative("tileSize", (long) tileSize);
    Check.inRange("tileOverlap", tileOverlap, 0.0, 0.9);
    if (mixWeights.size() != 3) {
      throw new ConfigException("mixWeights", "must have 3 entries (l1, l2, ssim), got " + mixWeights.size());
    }
    for (int i = 0; i < 3; i++) {
      Check.nonNegative("mixWeights[" + i + "]", mixWeights.get(i));
    }
    if (mixWeights.stream().mapToDouble(Double::doubleValue).sum() <= 0) {
      throw new ConfigException("mixWeights", "must not be all zero");
    }
    Check.nonNegative("smoothSigma", smoothSigma);
    if (!(topKPercent > 0 && topKPercent <= 100)) {
      throw new ConfigException("topKPercent", "must be in (0, 100], got " + topKPercent);
    }
    Check.positive("maxPixels", (long) maxPixels);
    Check.positive("maxSensorValues", (long) maxSensorValues);
  }

  /**
   * Spatial positions per network call beyond which a larger batch stops paying on a CPU: on 2
   * cores a 256x256 input ran at 4.8 images/s alone but 2.7 images/s in batches of 8 (BENCHMARKS.md),
   * since the activations no longer fit the caches. 64x64 tiles in batches of 16 are at the budget.
   */
  public static final long BATCH_POSITION_BUDGET = 64L * 64 * 16;

  /**
   * The batch size to use for tiles of {@code positionsPerTile} spatial positions: {@link
   * #batchSize()} capped by {@link #BATCH_POSITION_BUDGET}, at least 1.
   */
  public int batchFor(long positionsPerTile) {
    long cap = BATCH_POSITION_BUDGET / Math.max(1, positionsPerTile);
    return (int) Math.max(1, Math.min(batchSize, cap));
  }

  /** All defaults. */
  public static EngineConfig defaults() {
    return new EngineConfig(null, null, null, null, null, null, null, null, null, null, null,
        null, null, null, null, null, null, null);
  }

  /** t* from img2img's strength F in (0, 1]: t* = round(F * (T - 1)). */
  public static int tStarFromStrength(double strength, int timesteps) {
    if (!(strength > 0 && strength <= 1)) {
      throw new ConfigException("--strength", "must be in (0, 1], got " + strength);
    }
    return (int) Math.round(strength * (timesteps - 1));
  }
}
