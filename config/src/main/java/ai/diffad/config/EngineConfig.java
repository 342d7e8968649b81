package ai.diffad.config;

import java.util.Objects;

/**
 * How the engine reconstructs, maps, scores and guards its inputs (DESIGN.md, "The engine"), as
 * five sections, each a record whose fields default when absent. In a file:
 *
 * <pre>
 * reconstruction: {tStar: 250, noise: {kind: gaussian}, sampler: ddim, steps: 10, eta: 0,
 *                  guidance: 0, seeds: 1, seed: 0, batchSize: 8}
 * tiling: {tileSize: 0, tileOverlap: 0.25, padding: 0, views: none}
 * map: {kind: l1}                       # see MapConfig: l1|l2|ssim|mix|feature|knn
 * score: {reduction: max, topKPercent: 1, smoothSigma: 4}
 * limits: {maxPixels: 67108864, maxSensorValues: 100000000}
 * </pre>
 *
 * <p>Defaults live in the sections' {@code DEFAULT_*} constants, which the command line's help
 * prints. Code builds a configuration with {@link #builder()} (or {@link #toBuilder()} to change a
 * few settings); unknown keys in a file are refused with their path.
 *
 * @param reconstruction partial noising to t* and the reverse process
 * @param tiling how inputs are cut for the network
 * @param map which anomaly map, with its own settings
 * @param score smoothing of the map and its reduction to a score
 * @param limits input guards
 */
public record EngineConfig(Reconstruction reconstruction, Tiling tiling, MapConfig map,
    Scoring score, Limits limits) {

  /** Default decompression-bomb guard: 64 megapixels. */
  public static final long DEFAULT_MAX_PIXELS = 64L * 1024 * 1024;

  /** Fills absent sections with their defaults. */
  public EngineConfig {
    reconstruction = reconstruction == null ? new Reconstruction(null, null, null, null, null,
        null, null, null, null) : reconstruction;
    tiling = tiling == null ? new Tiling(null, null, null) : tiling;
    map = map == null ? MapConfig.defaults() : map;
    score = score == null ? new Scoring(null, null, null) : score;
    limits = limits == null ? new Limits(null, null) : limits;
  }

  /**
   * Partial noising and reconstruction.
   *
   * @param tStar partial-noising step t* (0 &lt; t* &lt; T); default 250
   * @param noise noise used to reach t* (gaussian or simplex)
   * @param sampler reverse sampler (ddpm, ddim, sde); default ddim
   * @param steps network calls of the reverse process from t*; 1 = the one-step x0 estimate;
   *     default 10
   * @param eta DDIM eta (0 deterministic, 1 DDPM-like); default 0
   * @param guidance DDAD weight w of the guidance toward the input (0: none)
   * @param seeds reconstructions averaged per input, each with its own noise seed; default 1
   * @param seed base seed of the partial-noising and step noise; default 0
   * @param batchSize network inputs (tiles) per network call; default 8
   */
  public record Reconstruction(Integer tStar, NoiseConfig noise, SamplerKind sampler,
      Integer steps, Double eta, Double guidance, Integer seeds, Long seed, Integer batchSize) {
    public static final int DEFAULT_T_STAR = 250;
    public static final int DEFAULT_STEPS = 10;
    public static final int DEFAULT_BATCH = 8;

    /** Validates and fills defaults. */
    public Reconstruction {
      tStar = tStar == null ? DEFAULT_T_STAR : tStar;
      noise = noise == null ? NoiseConfig.gaussian() : noise;
      sampler = sampler == null ? SamplerKind.DDIM : sampler;
      steps = steps == null ? DEFAULT_STEPS : steps;
      eta = eta == null ? 0.0 : eta;
      guidance = guidance == null ? 0.0 : guidance;
      seeds = seeds == null ? 1 : seeds;
      seed = seed == null ? 0L : seed;
      batchSize = batchSize == null ? DEFAULT_BATCH : batchSize;
      Check.positive("tStar", (long) tStar);
      Check.inRange("steps", steps, 1, 100_000);
      if (steps > tStar + 1) {
        throw new ConfigException("steps", "must be <= tStar + 1 (" + (tStar + 1) + "), got "
            + steps);
      }
      Check.inRange("eta", eta, 0.0, 1.0);
      Check.nonNegative("guidance", guidance);
      Check.inRange("seeds", seeds, 1, 1000);
      Check.inRange("batchSize", batchSize, 1, 4096);
    }
  }

  /**
   * Tiling.
   *
   * @param tileSize side of the square tiles images are cut into (0: the model's training size)
   * @param tileOverlap overlap between neighbouring tiles, as a fraction of the tile side, [0, 0.9];
   *     default 0.25
   * @param padding pixels (at the working resolution) of reflection added around every image before
   *     it is tiled and cut away from the map afterwards, so that the network's own zero-padded
   *     borders fall outside the image; default 0
   * @param views test-time views of each tile whose maps are averaged (and that a k-NN bank is
   *     fitted on): none, hflip, flips, rotations or d4; default none
   */
  public record Tiling(Integer tileSize, Double tileOverlap, Integer padding, TileViews views) {
    public static final double DEFAULT_OVERLAP = 0.25;

    /** Validates and fills defaults. */
    public Tiling {
      tileSize = tileSize == null ? 0 : tileSize;
      tileOverlap = tileOverlap == null ? DEFAULT_OVERLAP : tileOverlap;
      padding = padding == null ? 0 : padding;
      views = views == null ? TileViews.NONE : views;
      Check.nonNegative("tileSize", (long) tileSize);
      Check.inRange("tileOverlap", tileOverlap, 0.0, 0.9);
      Check.inRange("padding", padding, 0, 4096);
    }

    /** Without test-time views. */
    public Tiling(Integer tileSize, Double tileOverlap, Integer padding) {
      this(tileSize, tileOverlap, padding, null);
    }
  }

  /**
   * From map to score.
   *
   * @param reduction how a map becomes a score (max, top-k, mean); default max
   * @param topKPercent share of pixels averaged by top-k, in (0, 100]; default 1
   * @param smoothSigma Gaussian smoothing of the map, in pixels of the input (0: none); default 4
   */
  public record Scoring(ScoreReduction reduction, Double topKPercent, Double smoothSigma) {
    public static final double DEFAULT_SMOOTH = 4.0;
    public static final double DEFAULT_TOP_K = 1.0;

    /** Validates and fills defaults. */
    public Scoring {
      reduction = reduction == null ? ScoreReduction.MAX : reduction;
      topKPercent = topKPercent == null ? DEFAULT_TOP_K : topKPercent;
      smoothSigma = smoothSigma == null ? DEFAULT_SMOOTH : smoothSigma;
      if (!(topKPercent > 0 && topKPercent <= 100)) {
        throw new ConfigException("topKPercent", "must be in (0, 100], got " + topKPercent);
      }
      Check.nonNegative("smoothSigma", smoothSigma);
    }
  }

  /**
   * Input guards.
   *
   * @param maxPixels decoded pixel count above which an image is rejected as TOO_LARGE; default
   *     64 MP
   * @param maxSensorValues largest sensor input (values) accepted; default 10^8
   */
  public record Limits(Long maxPixels, Long maxSensorValues) {
    /** Validates and fills defaults. */
    public Limits {
      maxPixels = maxPixels == null ? DEFAULT_MAX_PIXELS : maxPixels;
      maxSensorValues = maxSensorValues == null ? 100_000_000L : maxSensorValues;
      Check.positive("maxPixels", (long) maxPixels);
      Check.positive("maxSensorValues", (long) maxSensorValues);
    }
  }

  // Reading accessors of the sections' fields (the map's settings are read from its variant).

  /** reconstruction.tStar. */
  public int tStar() {
    return reconstruction.tStar();
  }

  /** reconstruction.noise. */
  public NoiseConfig noise() {
    return reconstruction.noise();
  }

  /** reconstruction.sampler. */
  public SamplerKind sampler() {
    return reconstruction.sampler();
  }

  /** reconstruction.steps. */
  public int steps() {
    return reconstruction.steps();
  }

  /** reconstruction.eta. */
  public double eta() {
    return reconstruction.eta();
  }

  /** reconstruction.guidance. */
  public double guidance() {
    return reconstruction.guidance();
  }

  /** reconstruction.seeds. */
  public int seeds() {
    return reconstruction.seeds();
  }

  /** reconstruction.seed. */
  public long seed() {
    return reconstruction.seed();
  }

  /** reconstruction.batchSize. */
  public int batchSize() {
    return reconstruction.batchSize();
  }

  /** tiling.tileSize. */
  public int tileSize() {
    return tiling.tileSize();
  }

  /** tiling.tileOverlap. */
  public double tileOverlap() {
    return tiling.tileOverlap();
  }

  /** tiling.padding. */
  public int padding() {
    return tiling.padding();
  }

  /** tiling.views. */
  public TileViews views() {
    return tiling.views();
  }

  /** score.smoothSigma. */
  public double smoothSigma() {
    return score.smoothSigma();
  }

  /** score.reduction. */
  public ScoreReduction reduction() {
    return score.reduction();
  }

  /** score.topKPercent. */
  public double topKPercent() {
    return score.topKPercent();
  }

  /** limits.maxPixels. */
  public long maxPixels() {
    return limits.maxPixels();
  }

  /** limits.maxSensorValues. */
  public long maxSensorValues() {
    return limits.maxSensorValues();
  }

  /**
   * The one check of t* against a model's T, where a configuration meets its model.
   *
   * @param timesteps the model's T
   * @param field how the caller names t* in its messages (reconstruction.tStar, --t-star)
   * @throws ConfigException if t* is not below T
   */
  public EngineConfig checkFor(int timesteps, String field) {
    if (tStar() >= timesteps) {
      throw new ConfigException(field, "must be < T (" + timesteps + ") of the model, got "
          + tStar());
    }
    return this;
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
    return (int) Math.max(1, Math.min(batchSize(), cap));
  }

  /** All defaults. */
  public static EngineConfig defaults() {
    return new EngineConfig(null, null, null, null, null);
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder(defaults());
  }

  /** A builder starting from this configuration. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** t* from img2img's strength F in (0, 1]: t* = round(F * (T - 1)). */
  public static int tStarFromStrength(double strength, int timesteps) {
    if (!(strength > 0 && strength <= 1)) {
      throw new ConfigException("--strength", "must be in (0, 1], got " + strength);
    }
    return (int) Math.round(strength * (timesteps - 1));
  }

  /**
   * Builds an {@link EngineConfig} setting by setting; {@link #build()} validates (messages name
   * the section's field). A null argument keeps the current value.
   */
  public static final class Builder {
    private Integer tStar;
    private NoiseConfig noise;
    private SamplerKind sampler;
    private Integer steps;
    private Double eta;
    private Double guidance;
    private Integer seeds;
    private Long seed;
    private Integer batchSize;
    private Integer tileSize;
    private Double tileOverlap;
    private Integer padding;
    private TileViews views;
    private MapConfig map;
    private ScoreReduction reduction;
    private Double topKPercent;
    private Double smoothSigma;
    private Long maxPixels;
    private Long maxSensorValues;

    private Builder(EngineConfig c) {
      Reconstruction r = c.reconstruction();
      tStar = r.tStar();
      noise = r.noise();
      sampler = r.sampler();
      steps = r.steps();
      eta = r.eta();
      guidance = r.guidance();
      seeds = r.seeds();
      seed = r.seed();
      batchSize = r.batchSize();
      tileSize = c.tiling().tileSize();
      tileOverlap = c.tiling().tileOverlap();
      padding = c.tiling().padding();
      views = c.tiling().views();
      map = c.map();
      reduction = c.score().reduction();
      topKPercent = c.score().topKPercent();
      smoothSigma = c.score().smoothSigma();
      maxPixels = c.limits().maxPixels();
      maxSensorValues = c.limits().maxSensorValues();
    }

    private static <T> T or(T value, T current) {
      return value != null ? value : current;
    }

    public Builder tStar(Integer v) {
      tStar = or(v, tStar);
      return this;
    }

    public Builder noise(NoiseConfig v) {
      noise = or(v, noise);
      return this;
    }

    public Builder sampler(SamplerKind v) {
      sampler = or(v, sampler);
      return this;
    }

    public Builder steps(Integer v) {
      steps = or(v, steps);
      return this;
    }

    public Builder eta(Double v) {
      eta = or(v, eta);
      return this;
    }

    public Builder guidance(Double v) {
      guidance = or(v, guidance);
      return this;
    }

    public Builder seeds(Integer v) {
      seeds = or(v, seeds);
      return this;
    }

    public Builder seed(Long v) {
      seed = or(v, seed);
      return this;
    }

    public Builder batchSize(Integer v) {
      batchSize = or(v, batchSize);
      return this;
    }

    public Builder tileSize(Integer v) {
      tileSize = or(v, tileSize);
      return this;
    }

    public Builder tileOverlap(Double v) {
      tileOverlap = or(v, tileOverlap);
      return this;
    }

    public Builder padding(Integer v) {
      padding = or(v, padding);
      return this;
    }

    public Builder views(TileViews v) {
      views = or(v, views);
      return this;
    }

    /** The map with its own settings. */
    public Builder map(MapConfig v) {
      map = or(v, map);
      return this;
    }

    /** The map of a kind with that kind's default settings (keeps the map if it is that kind). */
    public Builder map(MapKind kind) {
      if (kind != null && kind != map.kind()) {
        map = MapConfig.of(kind);
      }
      return this;
    }

    public Builder reduction(ScoreReduction v) {
      reduction = or(v, reduction);
      return this;
    }

    public Builder topKPercent(Double v) {
      topKPercent = or(v, topKPercent);
      return this;
    }

    public Builder smoothSigma(Double v) {
      smoothSigma = or(v, smoothSigma);
      return this;
    }

    public Builder maxPixels(Long v) {
      maxPixels = or(v, maxPixels);
      return this;
    }

    public Builder maxSensorValues(Long v) {
      maxSensorValues = or(v, maxSensorValues);
      return this;
    }

    /** Validates and builds; a message names the section and field. */
    public EngineConfig build() {
      Reconstruction r = under("reconstruction", () -> new Reconstruction(tStar, noise, sampler,
          steps, eta, guidance, seeds, seed, batchSize));
      Tiling t = under("tiling", () -> new Tiling(tileSize, tileOverlap, padding, views));
      Scoring s = under("score", () -> new Scoring(reduction, topKPercent, smoothSigma));
      Limits l = under("limits", () -> new Limits(maxPixels, maxSensorValues));
      return new EngineConfig(r, t, Objects.requireNonNull(map, "map"), s, l);
    }

    private static <T> T under(String section, java.util.function.Supplier<T> make) {
      try {
        return make.get();
      } catch (ConfigException e) {
        throw e.under(section);
      }
    }
  }
}
