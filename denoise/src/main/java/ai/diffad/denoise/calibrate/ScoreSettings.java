package ai.diffad.denoise.calibrate;

import ai.diffad.config.EngineConfig;
import ai.diffad.config.MapConfig;
import ai.diffad.config.MapKind;
import ai.diffad.config.NoiseConfig;
import ai.diffad.config.NoiseKind;
import ai.diffad.config.SamplerKind;
import ai.diffad.config.ScoreReduction;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The engine settings that shape the distribution of anomaly scores, recorded with a calibration:
 * a threshold learned at one t*, sampler, map or reduction means nothing at another. Settings that
 * only re-draw the same distribution (seed, batch size) or touch tile seams (tile size, overlap) are
 * left out, so changing them does not invalidate a calibration.
 *
 * <p>Settings that the chosen options ignore are stored as {@code null} (top-k share unless score =
 * top-k, mix weights unless map = mix, simplex parameters for Gaussian noise), so that they cannot
 * cause a spurious mismatch.
 *
 * @param tStar partial-noising step t*
 * @param sampler reverse sampler
 * @param steps network calls of the reverse process
 * @param eta DDIM eta
 * @param guidance DDAD guidance weight
 * @param seeds reconstructions averaged per input
 * @param noise forward noise kind
 * @param simplex simplex parameters (octaves, persistence, frequency) or null for Gaussian noise
 * @param map per-pixel error kind
 * @param mixWeights L1, L2, SSIM weights when map = mix, else null
 * @param smoothSigma Gaussian smoothing of the map
 * @param score map-to-score reduction
 * @param topKPercent share averaged when score = top-k, else null
 * @param featureT encoder step when map = feature, else null
 * @param featureLevels encoder levels compared when map = feature, else null
 */
public record ScoreSettings(
    int tStar,
    SamplerKind sampler,
    int steps,
    double eta,
    double guidance,
    int seeds,
    NoiseKind noise,
    NoiseConfig simplex,
    MapKind map,
    List<Double> mixWeights,
    double smoothSigma,
    ScoreReduction score,
    Double topKPercent,
    Integer featureT,
    List<Integer> featureLevels) {

  /** Requires the enums; copies the list. */
  public ScoreSettings {
    Objects.requireNonNull(sampler, "sampler");
    Objects.requireNonNull(noise, "noise");
    Objects.requireNonNull(map, "map");
    Objects.requireNonNull(score, "score");
    mixWeights = mixWeights == null ? null : List.copyOf(mixWeights);
  }

  /** The score-shaping settings of an engine configuration, with ignored settings nulled. */
  public static ScoreSettings of(EngineConfig engine) {
    Objects.requireNonNull(engine, "engine");
    NoiseConfig noise = engine.noise();
    MapConfig map = engine.map();
    List<Double> mix = map instanceof MapConfig.PixelError p && p.kind() == MapKind.MIX
        ? p.mixWeights() : null;
    Integer featureT = null;
    List<Integer> levels = null;
    if (map instanceof MapConfig.Feature f) {
      featureT = f.featureT();
      levels = f.levels();
    } else if (map instanceof MapConfig.Knn k) {
      featureT = k.featureT();
      levels = k.levels();
    }
    return new ScoreSettings(
        engine.tStar(),
        engine.sampler(),
        engine.steps(),
        engine.eta(),
        engine.guidance(),
        engine.seeds(),
        noise.kind(),
        noise.kind() == NoiseKind.SIMPLEX ? noise : null,
        map.kind(),
        mix,
        engine.smoothSigma(),
        engine.reduction(),
        engine.reduction() == ScoreReduction.TOP_K ? engine.topKPercent() : null,
        featureT,
        levels);
  }

  /**
   * The settings that differ from {@code current}, each as {@code "name: calibrated with A, now
   * B"}; empty when a calibration made with these settings is valid for {@code current}.
   */
  public List<String> differences(ScoreSettings current) {
    Objects.requireNonNull(current, "current");
    List<String> out = new ArrayList<>();
    diff(out, "tStar", tStar, current.tStar);
    diff(out, "sampler", sampler, current.sampler);
    diff(out, "steps", steps, current.steps);
    diff(out, "eta", eta, current.eta);
    diff(out, "guidance", guidance, current.guidance);
    diff(out, "seeds", seeds, current.seeds);
    diff(out, "noise", noise, current.noise);
    diff(out, "noise parameters", simplex, current.simplex);
    diff(out, "map", map, current.map);
    diff(out, "mixWeights", mixWeights, current.mixWeights);
    diff(out, "smoothSigma", smoothSigma, current.smoothSigma);
    diff(out, "score", score, current.score);
    diff(out, "topKPercent", topKPercent, current.topKPercent);
    diff(out, "featureT", featureT, current.featureT);
    diff(out, "featureLevels", featureLevels, current.featureLevels);
    return out;
  }

  private static void diff(List<String> out, String name, Object calibrated, Object now) {
    if (!Objects.equals(calibrated, now)) {
      out.add(name + ": calibrated with " + show(calibrated) + ", now " + show(now));
    }
  }

  private static String show(Object value) {
    if (value == null) {
      return "none";
    }
    if (value instanceof NoiseConfig n) {
      return "octaves " + n.octaves() + ", persistence " + n.persistence() + ", frequency "
          + n.frequency();
    }
    if (value instanceof ai.diffad.config.Check.Named n) {
      return n.spelling();
    }
    return String.valueOf(value);
  }
}
