package ai.diffad.denoise.engine;

import ai.diffad.config.ConfigException;
import ai.diffad.config.EngineConfig;
import ai.diffad.config.MapConfig;
import ai.diffad.config.MapKind;
import ai.diffad.model.artifact.LoadedModel;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The one place where a map kind becomes an {@link AnomalyMapper}, and where a mapper that learns
 * from normal data gets its {@link Fitter}. Adding a map kind: a {@link MapKind} constant, an
 * {@link AnomalyMapper} implementation, and its case here (plus a fitter if it learns).
 */
public final class AnomalyMappers {
  private AnomalyMappers() {}

  /**
   * The mapper of {@code config.map()}, with any state it learned read (and verified) from the
   * model directory.
   *
   * @throws ConfigException (field map) if the map needs learned state the model does not have, or
   *     has for other settings
   */
  public static AnomalyMapper open(LoadedModel model, EngineConfig config) {
    Objects.requireNonNull(model, "model");
    MapConfig map = config.map();
    if (map instanceof MapConfig.PixelError p) {
      return new PixelErrorMapper(p.kind(), p.mixWeights());
    }
    if (map instanceof MapConfig.Feature f) {
      return new FeatureMapper(model, config, f);
    }
    if (map instanceof MapConfig.Segmentation) {
      return new SegmentationMapper(model, config);
    }
    MapConfig.Knn knn = (MapConfig.Knn) map;
    return new KnnMapper(FeatureBank.fromBytes(model, config, knn,
          model.readFile(FeatureBank.FILE).orElseThrow(() -> new ConfigException("map", "knn"
              + " needs a bank of normal features in the model directory, which model "
              + model.manifest().name() + " does not have: build it with diffad calibrate --model"
              + " DIR --map knn --fit-data NORMAL_IMAGES (the training images; not the ones the"
              + " threshold is calibrated on); maps that need nothing learned: "
              + spellings(MapKind.L1, MapKind.L2, MapKind.SSIM, MapKind.MIX, MapKind.FEATURE)))));
  }

  /** The map kinds that work on series (the engine refuses the others for series models). */
  public static List<MapKind> seriesKinds() {
    return Arrays.stream(MapKind.values()).filter(MapKind::isPixelError).toList();
  }

  /**
   * Learns a mapper's state from normal inputs: tiles are added as the engine cuts them, then
   * {@link #build()} makes the mapper and {@link #bytes()} the file saved in the model directory
   * under {@link #file()}.
   */
  public interface Fitter {
    /** Adds the tiles of one normal input, each (C, H, W) of one size. */
    void add(float[][] tiles, int channels, int height, int width);

    /** The file of the learned state, relative to the model directory. */
    String file();

    /** The mapper with what was learned; call once, after the last {@link #add}. */
    AnomalyMapper build();

    /** The learned state as the bytes of {@link #file()}; after {@link #build()}. */
    byte[] bytes();
  }

  /**
   * The fitter of {@code config.map()}, or empty if that map learns nothing from normal data.
   *
   * @param size vectors (or other units) the state keeps; 0 for the map's own setting
   *     ({@code bankSize})
   */
  public static Optional<Fitter> fitter(LoadedModel model, EngineConfig config, int size) {
    if (!(config.map() instanceof MapConfig.Knn knn)) {
      return Optional.empty();
    }
    FeatureBank.Builder builder = FeatureBank.builder(model, config, knn,
        size > 0 ? size : knn.bankSize(), config.seed());
    return Optional.of(new Fitter() {
      private FeatureBank bank;

      @Override
      public void add(float[][] tiles, int channels, int height, int width) {
        builder.add(Arrays.asList(tiles), channels, height, width);
      }

      @Override
      public String file() {
        return FeatureBank.FILE;
      }

      @Override
      public AnomalyMapper build() {
        bank = builder.build();
        return new KnnMapper(bank);
      }

      @Override
      public byte[] bytes() {
        if (bank == null) {
          throw new IllegalStateException("build() first");
        }
        return bank.toBytes();
      }
    });
  }

  private static String spellings(MapKind... kinds) {
    return Arrays.stream(kinds).map(MapKind::spelling).toList().toString();
  }
}
