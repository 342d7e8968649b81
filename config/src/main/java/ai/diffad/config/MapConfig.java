package ai.diffad.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.util.List;
import java.util.Objects;

/**
 * The anomaly map of the engine: a sealed type whose variants carry only their own settings. In a
 * file: {@code map: {kind: l1}}, {@code map: {kind: mix, mixWeights: [1, 0, 1]}}, {@code map:
 * {kind: feature, featureT: 50, levels: [1, 2]}}, {@code map: {kind: knn, featureT: 0, levels: [1,
 * 2], bankSize: 16384}}, {@code map: segmentation}, or the kind alone ({@code map: l1}) for the defaults of that kind.
 */
@JsonDeserialize(using = MapConfig.Reader.class)
public sealed interface MapConfig permits MapConfig.PixelError, MapConfig.Feature, MapConfig.Knn,
    MapConfig.Segmentation, MapConfig.Sum, MapConfig.Imputation {
  /** The map kind. */
  MapKind kind();

  /** Whether this map is, or (for a sum) has a part of, the given kind. */
  default boolean uses(MapKind k) {
    return this instanceof Sum s ? s.parts().stream().anyMatch(p -> p.uses(k)) : kind() == k;
  }

  /** The default map: L1. */
  static MapConfig defaults() {
    return of(MapKind.L1);
  }

  /** The map of a kind with that kind's default settings. */
  static MapConfig of(MapKind kind) {
    return switch (Objects.requireNonNull(kind, "kind")) {
      case L1, L2, SSIM, MIX -> new PixelError(kind, null);
      case FEATURE -> new Feature(kind, null, null, null);
      case KNN -> new Knn(kind, null, null, null, null, null, null);
      case SEGMENTATION -> new Segmentation(kind);
      case IMPUTATION -> new Imputation(kind, null, null, null, null, null, null, null);
      case SUM -> throw new ConfigException("map", "sum combines other maps and needs them: give"
          + " {kind: sum, parts: [...], weights: [...]} in an engine file (--engine)");
    };
  }

  /**
   * A per-pixel reconstruction error: L1, L2, 1 - SSIM, or their weighted mix.
   *
   * @param kind l1, l2, ssim or mix
   * @param mixWeights for mix: weights of L1, L2 and SSIM (default [1, 0, 1]); ignored otherwise
   */
  @JsonDeserialize(using = JsonDeserializer.None.class)
  record PixelError(MapKind kind, List<Double> mixWeights) implements MapConfig {
    /** Default mix weights. */
    public static final List<Double> DEFAULT_MIX = List.of(1.0, 0.0, 1.0);

    /** Validates and fills defaults. */
    public PixelError {
      kind = kind == null ? MapKind.L1 : kind;
      if (!kind.isPixelError()) {
        throw new ConfigException("kind", kind.spelling() + " is not a pixel error");
      }
      mixWeights = mixWeights == null ? DEFAULT_MIX : List.copyOf(mixWeights);
      if (mixWeights.size() != 3) {
        throw new ConfigException("mixWeights", "must have 3 entries (l1, l2, ssim), got "
            + mixWeights.size());
      }
      for (int i = 0; i < 3; i++) {
        Check.nonNegative("mixWeights[" + i + "]", mixWeights.get(i));
      }
      if (mixWeights.stream().mapToDouble(Double::doubleValue).sum() <= 0) {
        throw new ConfigException("mixWeights", "must not be all zero");
      }
    }
  }

  /**
   * The network's encoder features of input and reconstruction, 1 - cosine similarity.
   *
   * @param kind feature
   * @param featureT the step at which both are noised alike and enter the encoder (default 50)
   * @param levels the encoder levels compared, 0 = full resolution (default [1, 2])
   * @param backbone a pretrained extractor compared instead of the network's encoder (DDAD's
   *     feature distance; its {@code layers} replace {@code levels}, no noise is added); null: the
   *     diffusion network's own encoder
   */
  @JsonDeserialize(using = JsonDeserializer.None.class)
  record Feature(MapKind kind, Integer featureT, List<Integer> levels, BackboneConfig backbone)
      implements MapConfig {
    /** Default encoder step. */
    public static final int DEFAULT_T = 50;

    /** Validates and fills defaults. */
    public Feature {
      kind = requireKind(kind, MapKind.FEATURE);
      featureT = featureT == null ? DEFAULT_T : featureT;
      levels = checkLevels(levels);
      Check.inRange("featureT", featureT, 0, 100_000);
    }

    /** The network's own encoder. */
    public Feature(MapKind kind, Integer featureT, List<Integer> levels) {
      this(kind, featureT, levels, null);
    }
  }

  /**
   * The distance of each position's encoder features to the nearest of a bank of normal features
   * (learned by {@code diffad calibrate --fit-data}, saved in the model directory).
   *
   * @param kind knn
   * @param featureT the encoder step of the features (default 50)
   * @param levels the encoder levels concatenated (default [1, 2])
   * @param bankSize vectors the bank keeps when it is built (default 16384)
   * @param backbone a pretrained extractor whose patch features fill the bank instead of the
   *     network's encoder (PatchCore; its {@code layers} replace {@code levels}); null: the
   *     diffusion network's own encoder
   * @param sampling how the bank is subsampled from all normal positions: {@code random} (a
   *     uniform sample, the default) or {@code coreset} (PatchCore's greedy k-center coreset on a
   *     random projection: covers the normal feature space with fewer vectors)
   * @param reweight PatchCore's re-weighting of a position's distance by how rare its nearest bank
   *     vector is: the number b of that vector's own nearest neighbours in the bank the weight is
   *     computed over (0: off, the default)
   */
  @JsonDeserialize(using = JsonDeserializer.None.class)
  record Knn(MapKind kind, Integer featureT, List<Integer> levels, Integer bankSize,
      BackboneConfig backbone, String sampling, Integer reweight) implements MapConfig {
    /** Default bank size. */
    public static final int DEFAULT_BANK = 16_384;
    /** The bank samplings. */
    public static final List<String> SAMPLINGS = List.of("random", "coreset");

    /** Validates and fills defaults. */
    public Knn {
      kind = requireKind(kind, MapKind.KNN);
      featureT = featureT == null ? Feature.DEFAULT_T : featureT;
      levels = checkLevels(levels);
      bankSize = bankSize == null ? DEFAULT_BANK : bankSize;
      Check.inRange("featureT", featureT, 0, 100_000);
      Check.inRange("bankSize", bankSize, 1, 10_000_000);
      sampling = sampling == null ? "random" : sampling.toLowerCase(java.util.Locale.ROOT);
      if (!SAMPLINGS.contains(sampling)) {
        throw new ConfigException("sampling", "must be one of " + SAMPLINGS + ", got '" + sampling
            + "'");
      }
      reweight = reweight == null ? 0 : reweight;
      Check.inRange("reweight", reweight, 0, 64);
    }

    /** Without re-weighting. */
    public Knn(MapKind kind, Integer featureT, List<Integer> levels, Integer bankSize,
        BackboneConfig backbone, String sampling) {
      this(kind, featureT, levels, bankSize, backbone, sampling, null);
    }

    /** The network's own encoder, random sampling. */
    public Knn(MapKind kind, Integer featureT, List<Integer> levels, Integer bankSize) {
      this(kind, featureT, levels, bankSize, null, null);
    }
  }

  /**
   * The detector's segmentation head on (input, reconstruction): the sigmoid of its logits. The
   * reconstruction is the engine's (t*, sampler, steps: one DDIM step is the one-step x0 estimate
   * the head was trained on; seeds average it). Needs a model trained with a {@code detector}
   * section.
   *
   * @param kind segmentation
   */
  @JsonDeserialize(using = JsonDeserializer.None.class)
  record Segmentation(MapKind kind) implements MapConfig {
    /** Validates. */
    public Segmentation {
      kind = requireKind(kind, MapKind.SEGMENTATION);
    }
  }

  /**
   * A weighted sum of other maps (for example the detector's segmentation head and a backbone's
   * k-NN distance): each part's map is standardised, (map - mean) / std, by the mean and standard
   * deviation of its values on normal images, so that parts on different scales (a probability, a
   * feature distance, a pixel error) count by their weights, not by their units. The statistics are
   * learned with the parts' own state by {@code diffad calibrate --fit-data} (and by evaluate when
   * the model has none).
   *
   * @param kind sum
   * @param parts two or more maps, none of them a sum, at most one knn (the bank is one file)
   * @param weights one per part, >= 0, not all 0 (default: all 1)
   */
  @JsonDeserialize(using = JsonDeserializer.None.class)
  record Sum(MapKind kind, List<MapConfig> parts, List<Double> weights) implements MapConfig {
    /** Validates and fills defaults. */
    public Sum {
      kind = requireKind(kind, MapKind.SUM);
      if (parts == null || parts.size() < 2) {
        throw new ConfigException("parts", "a sum needs at least two maps, got "
            + (parts == null ? 0 : parts.size()));
      }
      parts = List.copyOf(parts);
      int knn = 0;
      for (int i = 0; i < parts.size(); i++) {
        if (parts.get(i) instanceof Sum) {
          throw new ConfigException("parts[" + i + "]", "a sum cannot contain a sum");
        }
        knn += parts.get(i) instanceof Knn ? 1 : 0;
      }
      if (knn > 1) {
        throw new ConfigException("parts", "at most one knn part (its bank is one file of the"
            + " model), got " + knn);
      }
      if (weights == null) {
        weights = java.util.Collections.nCopies(parts.size(), 1.0);
      }
      weights = List.copyOf(weights);
      if (weights.size() != parts.size()) {
        throw new ConfigException("weights", "needs one weight per part (" + parts.size()
            + "), got " + weights.size());
      }
      double total = 0;
      for (int i = 0; i < weights.size(); i++) {
        Check.nonNegative("weights[" + i + "]", weights.get(i));
        total += weights.get(i);
      }
      if (total <= 0) {
        throw new ConfigException("weights", "must not be all zero");
      }
    }
  }

  /**
   * The imputation error of a series model trained with an {@code imputation} section: the rows
   * the scoring mask hides are noised to t* and imputed by the reverse process (the engine's
   * sampler and steps: K network calls) from the clean rows it leaves; the error of each hidden
   * row is its score. Rows are imputed once per mask pass: {@code last} hides the last
   * {@code lastRows} rows of each window (one pass; causal: the score of a row uses only rows
   * before the hidden ones and the row itself; the window's other rows take the mean of the hidden
   * rows' errors), {@code grating} hides alternate strips (two complementary passes),
   * {@code random} a random partition of the rows into round(1 / ratio) passes (drawn from the
   * window's noise key), {@code sensor} one sensor over the whole window per pass, imputed from the
   * other sensors (C passes; needs a model trained with sensor masks).
   *
   * @param kind imputation
   * @param mask last, grating, random or sensor (default grating: every row imputed from both
   *     sides)
   * @param lastRows rows hidden by {@code last} (default 16), below the window length
   * @param strips strips of {@code grating} (default 8), at most the window length
   * @param ratio share of the rows per pass of {@code random}, in (0, 1) (default 0.25)
   * @param ensemble the error is averaged over the x0 estimates of the last {@code ensemble}
   *     steps of the reverse process (ImDiffusion's ensemble over steps; default 1: the final
   *     imputation only), at most the engine's steps
   * @param error l1 or l2: the per-row error, averaged over channels (default l1)
   * @param sharedNoise true (default): every window starts from the same noise at t* (common
   *     random numbers), so two windows' errors differ only by what the windows hold; false: each
   *     window's noise is drawn from its own key, which adds a seed-to-seed spread to every error
   *     (NAB: 57.1 against 58.7 to 60.3 shared, BENCHMARKS.md)
   */
  @JsonDeserialize(using = JsonDeserializer.None.class)
  record Imputation(MapKind kind, MaskKind mask, Integer lastRows, Integer strips, Double ratio,
      Integer ensemble, MapKind error, Boolean sharedNoise) implements MapConfig {
    /** Validates and fills defaults. */
    public Imputation {
      kind = requireKind(kind, MapKind.IMPUTATION);
      mask = mask == null ? MaskKind.GRATING : mask;
      lastRows = lastRows == null ? ImputationConfig.DEFAULT_LAST_ROWS : lastRows;
      strips = strips == null ? ImputationConfig.DEFAULT_STRIPS : strips;
      ratio = ratio == null ? ImputationConfig.DEFAULT_RATIO : ratio;
      ensemble = ensemble == null ? 1 : ensemble;
      error = error == null ? MapKind.L1 : error;
      sharedNoise = sharedNoise == null || sharedNoise;
      Check.positive("lastRows", lastRows);
      Check.inRange("strips", strips, 2, 1 << 20);
      if (!(ratio > 0 && ratio < 1)) {
        throw new ConfigException("ratio", "must be in (0, 1), got " + ratio);
      }
      Check.inRange("ensemble", ensemble, 1, 1000);
      if (error != MapKind.L1 && error != MapKind.L2) {
        throw new ConfigException("error", "must be l1 or l2, got " + error.spelling());
      }
    }

    /**
     * Mask passes per window of {@code channels} sensors: 1 (last), 2 (grating), round(1 / ratio)
     * (random), one per sensor (sensor).
     */
    public int passes(int channels) {
      return switch (mask) {
        case LAST -> 1;
        case GRATING -> 2;
        case RANDOM -> Math.max(1, (int) Math.round(1.0 / ratio));
        case SENSOR -> channels;
      };
    }
  }

  private static MapKind requireKind(MapKind kind, MapKind expected) {
    if (kind != null && kind != expected) {
      throw new ConfigException("kind", "must be " + expected.spelling() + ", got "
          + kind.spelling());
    }
    return expected;
  }

  private static List<Integer> checkLevels(List<Integer> levels) {
    List<Integer> l = levels == null ? List.of(1, 2) : List.copyOf(levels);
    if (l.isEmpty()) {
      throw new ConfigException("levels", "must name at least one level");
    }
    for (int i = 0; i < l.size(); i++) {
      Check.inRange("levels[" + i + "]", l.get(i), 0, 16);
    }
    return l;
  }

  /** Reads {@code kind} first, then binds the variant of that kind (its unknown keys refused). */
  final class Reader extends JsonDeserializer<MapConfig> {
    @Override
    public MapConfig deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
      JsonNode node = ctx.readTree(p);
      if (node instanceof TextNode t) {
        return of(MapKind.parse(t.asText()));
      }
      if (!(node instanceof ObjectNode o)) {
        throw new ConfigException("", "expected a map kind or {kind: ..., settings}, allowed kinds: "
            + Check.allowed(MapKind.class));
      }
      JsonNode k = o.get("kind");
      if (k == null || !k.isTextual()) {
        throw new ConfigException("kind", "is required, one of " + Check.allowed(MapKind.class));
      }
      MapKind kind = MapKind.parse(k.asText());
      Class<? extends MapConfig> type = switch (kind) {
        case L1, L2, SSIM, MIX -> PixelError.class;
        case FEATURE -> Feature.class;
        case KNN -> Knn.class;
        case SEGMENTATION -> Segmentation.class;
        case SUM -> Sum.class;
        case IMPUTATION -> Imputation.class;
      };
      return ctx.readTreeAsValue(o, type);
    }
  }
}
