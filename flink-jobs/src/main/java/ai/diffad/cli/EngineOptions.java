package ai.diffad.cli;

import ai.diffad.config.ConfigLoader;
import ai.diffad.config.EngineConfig;
import ai.diffad.config.MapKind;
import ai.diffad.config.NoiseConfig;
import ai.diffad.config.NoiseKind;
import ai.diffad.config.SamplerKind;
import ai.diffad.config.ScoreReduction;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Engine settings shared by score and calibrate: an optional YAML/JSON file ({@code --engine}),
 * then single options on top. Validation happens in {@link EngineConfig}'s constructor, so the
 * messages name the field.
 */
final class EngineOptions {
  @Option(names = "--engine", description = "Engine settings file (YAML/JSON, EngineConfig fields); options below override it.")
  Path file;

  @Option(names = "--t-star", description = "Partial-noising step t* (default 250).")
  Integer tStar;

  @Option(names = "--strength", description = "img2img spelling of t*: t* = round(F * (T - 1)), 0 < F <= 1.")
  Double strength;

  @Option(names = "--sampler", converter = EnumConverters.Sampler.class, description = "ddpm, ddim or sde (default ddim).")
  SamplerKind sampler;

  @Option(names = "--steps", description = "Network calls from t* (default 10; 1 = one-step x0 estimate).")
  Integer steps;

  @Option(names = "--eta", description = "DDIM eta (default 0).")
  Double eta;

  @Option(names = "--noise", converter = EnumConverters.Noise.class, description = "gaussian or simplex (default gaussian).")
  NoiseKind noise;

  @Option(names = "--guidance", description = "DDAD guidance weight w toward the input (default 0).")
  Double guidance;

  @Option(names = "--seeds", description = "Reconstructions averaged per input (default 1).")
  Integer seeds;

  @Option(names = "--seed", description = "Base seed (default 0).")
  Long seed;

  @Option(names = "--batch", description = "Tiles per network call (default 8).")
  Integer batch;

  @Option(names = "--tile", description = "Tile side in pixels (default: the model's training size).")
  Integer tile;

  @Option(names = "--map", converter = EnumConverters.Map.class, description = "l1, l2, ssim, mix, feature (encoder features of input vs reconstruction) or knn (evaluate only: distance to a bank of normal features built from train/good) (default l1).")
  MapKind map;

  @Option(names = "--smooth", description = "Gaussian smoothing sigma of the map in pixels (default 4).")
  Double smooth;

  @Option(names = "--reduce", converter = EnumConverters.Reduction.class, description = "max, top-k or mean (default max).")
  ScoreReduction reduce;

  @Option(names = "--top-k", description = "Percent of pixels averaged by --reduce top-k (default 1).")
  Double topK;

  @Option(names = "--feature-t", description = "For --map feature: the step at which input and reconstruction enter the encoder (default 50).")
  Integer featureT;

  @Option(names = "--feature-levels", split = ",", description = "For --map feature: encoder levels compared, e.g. 1,2 (default 1,2).")
  java.util.List<Integer> featureLevels;

  @Option(names = "--padding", description = "Reflection padding in pixels (working resolution) around each image, cut from the map afterwards (default 0).")
  Integer padding;

  @Option(names = "--max-pixels", description = "Reject images with more pixels (default 64 MP).")
  Long maxPixels;

  /** The engine configuration: defaults, then the file, then the options. */
  EngineConfig build(int timesteps) {
    return build(timesteps, EngineConfig.defaults());
  }

  /** The engine configuration: {@code defaults} (unless a file is given), then the options. */
  EngineConfig build(int timesteps, EngineConfig defaults) {
    EngineConfig b = file != null ? ConfigLoader.read(file, EngineConfig.class) : defaults;
    if (tStar != null && strength != null) {
      throw new ai.diffad.config.ConfigException("--t-star", "and --strength are mutually exclusive: give one");
    }
    Integer t = tStar != null ? tStar
        : strength != null ? (Integer) EngineConfig.tStarFromStrength(strength, timesteps) : b.tStar();
    if (t >= timesteps) {
      throw new ai.diffad.config.ConfigException("--t-star", "must be < T (" + timesteps + "), got " + t);
    }
    NoiseConfig n = noise == null ? b.noise() : new NoiseConfig(noise, b.noise().octaves(),
        b.noise().persistence(), b.noise().frequency());
    return new EngineConfig(t, n, or(sampler, b.sampler()), or(steps, b.steps()), or(eta, b.eta()),
        or(guidance, b.guidance()), or(seeds, b.seeds()), or(seed, b.seed()), or(batch, b.batchSize()),
        or(tile, b.tileSize()), b.tileOverlap(), or(map, b.map()), b.mixWeights(),
        or(smooth, b.smoothSigma()), or(reduce, b.score()), or(topK, b.topKPercent()),
        or(maxPixels, b.maxPixels()), b.maxSensorValues(), or(featureT, b.featureT()),
        or(featureLevels, b.featureLevels()), or(padding, b.padding()));
  }

  private static <T> T or(T a, T b) {
    return a != null ? a : b;
  }
}
