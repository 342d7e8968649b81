package ai.diffad.cli;

import ai.diffad.config.ConfigLoader;
import ai.diffad.config.EngineConfig;
import ai.diffad.config.MapConfig;
import ai.diffad.config.TileViews;
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
  @Option(names = "--engine", description = "Engine settings file (YAML/JSON: sections reconstruction, tiling, map, score, limits); options below override it.")
  Path file;

  @Option(names = "--t-star", description = "Partial-noising step t* (default " + EngineConfig.Reconstruction.DEFAULT_T_STAR + ").")
  Integer tStar;

  @Option(names = "--strength", description = "img2img spelling of t*: t* = round(F * (T - 1)), 0 < F <= 1.")
  Double strength;

  @Option(names = "--sampler", converter = EnumConverters.Sampler.class, description = "ddpm, ddim or sde (default ddim).")
  SamplerKind sampler;

  @Option(names = "--steps", description = "Network calls from t* (default " + EngineConfig.Reconstruction.DEFAULT_STEPS + "; 1 = one-step x0 estimate).")
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

  @Option(names = "--batch", description = "Tiles per network call (default " + EngineConfig.Reconstruction.DEFAULT_BATCH + ").")
  Integer batch;

  @Option(names = "--tile", description = "Tile side in pixels (default: the model's training size).")
  Integer tile;

  @Option(names = "--map", converter = EnumConverters.Map.class, description = "l1, l2, ssim, mix, feature (encoder or --backbone features of input vs reconstruction), segmentation (the detector's head), knn (distance to a bank of normal features: built by calibrate --fit-data, saved in the model; evaluate fits it on train/good when the model has none) or imputation (series imputers: the error of rows hidden from the network; its mask settings from an --engine file or the profile) (default: the profile's, else l1).")
  MapKind map;

  @Option(names = "--smooth", description = "Gaussian smoothing sigma of the map in pixels (default " + EngineConfig.Scoring.DEFAULT_SMOOTH + ").")
  Double smooth;

  @Option(names = "--reduce", converter = EnumConverters.Reduction.class, description = "max, top-k or mean (default max).")
  ScoreReduction reduce;

  @Option(names = "--top-k", description = "Percent of pixels averaged by --reduce top-k (default " + EngineConfig.Scoring.DEFAULT_TOP_K + ").")
  Double topK;

  @Option(names = "--feature-t", description = "For --map feature or knn: the step at which the encoder sees the inputs (default " + MapConfig.Feature.DEFAULT_T + ").")
  Integer featureT;

  @Option(names = "--feature-levels", split = ",", description = "For --map feature or knn: encoder levels, e.g. 1,2 (default 1,2).")
  java.util.List<Integer> featureLevels;

  @Option(names = "--backbone", description = "For --map feature or knn: a pretrained extractor instead of the network's encoder: mobilenet_v2 or inception_v3 (diffad fetch-backbone gets them), or the path of a TF.js model.json, TorchScript (.pt) or ONNX (.onnx) file.")
  String backbone;

  @Option(names = "--backbone-layers", split = ",", description = "With --backbone: its layers, finest first (default MobileNetV2 block_5_add,block_9_add; InceptionV3 mixed2,mixed5; TorchScript outputs 0).")
  java.util.List<String> backboneLayers;

  @Option(names = "--backbone-size", description = "With --backbone: the side tiles are resized to before it (default 224; InceptionV3 299).")
  Integer backboneSize;

  @Option(names = "--bank-size", description = "For --map knn: vectors the bank keeps (default " + MapConfig.Knn.DEFAULT_BANK + ").")
  Integer bankSize;

  @Option(names = "--bank-sampling", description = "For --map knn: random or coreset (PatchCore's greedy k-center) (default random).")
  String bankSampling;

  @Option(names = "--reweight", description = "For --map knn: PatchCore's re-weighting by the rarity of the nearest bank vector, over its b nearest neighbours in the bank (0: off, the default; PatchCore uses b = 9).")
  Integer reweight;

  @Option(names = "--views", description = "Test-time views of each tile whose maps are averaged (a k-NN bank is fitted on the same views): none, hflip, flips, rotations, d4 (default none).", converter = EnumConverters.TileViewsConverter.class)
  TileViews views;

  @Option(names = "--padding", description = "Reflection padding in pixels (working resolution) around each image, cut from the map afterwards (default 0).")
  Integer padding;

  @Option(names = "--max-pixels", description = "Reject images with more pixels (default 64 MP).")
  Long maxPixels;

  /**
   * The engine configuration of a model: the engine its profile ships ({@code engine:} of the
   * profile, else the defaults) unless a file is given, then the options.
   */
  EngineConfig build(ai.diffad.config.DiffadConfig profile) {
    return build(profile.schedule().timesteps(), profile.engineDefaults());
  }

  /** The engine configuration: {@code defaults} (unless a file is given), then the options. */
  EngineConfig build(int timesteps, EngineConfig defaults) {
    EngineConfig b = file != null ? ConfigLoader.read(file, EngineConfig.class, "--engine") : defaults;
    if (tStar != null && strength != null) {
      throw new ai.diffad.config.ConfigException("--t-star", "and --strength are mutually exclusive: give one");
    }
    Integer t = tStar != null ? tStar
        : strength != null ? (Integer) EngineConfig.tStarFromStrength(strength, timesteps) : null;
    NoiseConfig n = noise == null ? null : new NoiseConfig(noise, b.noise().octaves(),
        b.noise().persistence(), b.noise().frequency());
    EngineConfig.Builder e = b.toBuilder().tStar(t).noise(n).sampler(sampler).steps(steps).eta(eta)
        .guidance(guidance).seeds(seeds).seed(seed).batchSize(batch).tileSize(tile)
        .padding(padding).views(views).map(map).smoothSigma(smooth).reduction(reduce).topKPercent(topK)
        .maxPixels(maxPixels);
    if (featureT != null || featureLevels != null || backbone != null || backboneLayers != null
        || backboneSize != null || bankSize != null || bankSampling != null || reweight != null) {
      MapConfig m = e.build().map();
      if (m instanceof MapConfig.Feature f) {
        if (bankSize != null || bankSampling != null || reweight != null) {
          throw new ai.diffad.config.ConfigException(bankSize != null ? "--bank-size"
              : bankSampling != null ? "--bank-sampling" : "--reweight",
              "applies to --map knn only, the map is feature");
        }
        e.map(new MapConfig.Feature(f.kind(), or(featureT, f.featureT()),
            or(featureLevels, f.levels()), backbone(f.backbone())));
      } else if (m instanceof MapConfig.Knn k) {
        e.map(new MapConfig.Knn(k.kind(), or(featureT, k.featureT()), or(featureLevels, k.levels()),
            or(bankSize, k.bankSize()), backbone(k.backbone()), or(bankSampling, k.sampling()),
            or(reweight, k.reweight())));
      } else {
        String option = featureT != null ? "--feature-t" : featureLevels != null
            ? "--feature-levels" : backbone != null ? "--backbone" : backboneLayers != null
            ? "--backbone-layers" : backboneSize != null ? "--backbone-size" : bankSize != null
            ? "--bank-size" : bankSampling != null ? "--bank-sampling" : "--reweight";
        throw new ai.diffad.config.ConfigException(option, "applies to --map feature or knn only,"
            + " the map is " + m.kind().spelling());
      }
    }
    return e.build().checkFor(timesteps, tStar != null || strength != null ? "--t-star"
        : "reconstruction.tStar");
  }

  /** The backbone of the options on top of the file's (null: the network's own encoder). */
  private ai.diffad.config.BackboneConfig backbone(ai.diffad.config.BackboneConfig from) {
    if (backbone == null && from == null) {
      if (backboneLayers != null || backboneSize != null) {
        throw new ai.diffad.config.ConfigException(backboneLayers != null ? "--backbone-layers"
            : "--backbone-size", "needs --backbone (or a backbone in the engine file)");
      }
      return null;
    }
    boolean same = backbone == null || (from != null && backbone.equalsIgnoreCase(from.name()));
    return new ai.diffad.config.BackboneConfig(backbone != null ? backbone : from.name(),
        or(backboneLayers, same && from != null ? from.layers() : null),
        or(backboneSize, same && from != null ? from.size() : null),
        same && from != null ? from.normalize() : null);
  }

  private static <T> T or(T a, T b) {
    return a != null ? a : b;
  }
}
