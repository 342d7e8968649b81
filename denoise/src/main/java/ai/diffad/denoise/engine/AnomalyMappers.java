package ai.diffad.denoise.engine;

import ai.diffad.config.ConfigException;
import ai.diffad.config.EngineConfig;
import ai.diffad.config.MapConfig;
import ai.diffad.config.MapKind;
import ai.diffad.model.artifact.LoadedModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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
    boolean imputer = model.manifest().config().imputation() != null;
    if (imputer != config.map().uses(MapKind.IMPUTATION)) {
      throw new ConfigException("map", imputer
          ? "model " + model.manifest().name() + " is an imputer (trained with an imputation"
              + " section: its network needs the visible rows and the mask); score it with map"
              + " imputation, got " + config.map().kind().spelling()
          : "imputation needs a model trained with an imputation section; model "
              + model.manifest().name() + " is a plain diffusion model: use one of "
              + seriesKinds().stream().filter(k -> k != MapKind.IMPUTATION)
                  .map(MapKind::spelling).toList());
    }
    return TileViewMapper.wrap(openPart(model, config), config.views());
  }

  /** The mapper of {@code config.map()} without the test-time views (a sum's views wrap the sum). */
  private static AnomalyMapper openPart(LoadedModel model, EngineConfig config) {
    Objects.requireNonNull(model, "model");
    MapConfig map = config.map();
    if (map instanceof MapConfig.PixelError p) {
      return new PixelErrorMapper(p.kind(), p.mixWeights());
    }
    if (map instanceof MapConfig.Feature f) {
      return new FeatureMapper(model, config, f);
    }
    if (map instanceof MapConfig.Imputation imp) {
      return new ImputationMapper(model, config, imp);
    }
    if (map instanceof MapConfig.Segmentation) {
      return new SegmentationMapper(model, config);
    }
    if (map instanceof MapConfig.Sum sum) {
      SumStats stats = SumStats.fromBytes(model.readFile(SumStats.FILE).orElseThrow(
          () -> new ConfigException("map", "sum needs the statistics of its parts on normal"
              + " images, which model " + model.manifest().name() + " does not have: learn them"
              + " with diffad calibrate --model DIR --engine SUM_FILE --fit-data NORMAL_IMAGES")),
          sum);
      List<AnomalyMapper> parts = new ArrayList<>();
      try {
        for (MapConfig part : sum.parts()) {
          parts.add(openPart(model, config.toBuilder().map(part).build()));
        }
      } catch (RuntimeException e) {
        parts.forEach(AnomalyMapper::close);
        throw e;
      }
      return new SumMapper(parts, weights(sum), stats.means(), stats.stds());
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

  private static double[] weights(MapConfig.Sum sum) {
    return sum.weights().stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** The map kinds that work on series (the engine refuses the others for series models). */
  public static List<MapKind> seriesKinds() {
    return Arrays.stream(MapKind.values())
        .filter(k -> k.isPixelError() || k == MapKind.IMPUTATION).toList();
  }

  /**
   * Learns a mapper's state from normal inputs: each normal input is added with the tiles the
   * engine cuts from it, then {@link #build()} makes the mapper and {@link #bytes()} the files
   * saved in the model directory.
   */
  public interface Fitter {
    /**
     * Adds one normal input.
     *
     * @param input the input as given to the engine
     * @param tiles its tiles as the engine cuts them, each (C, H, W) of one size
     */
    void add(AnomalyEngine.ImageInput input, float[][] tiles, int channels, int height, int width);

    /** The files of the learned state, relative to the model directory. */
    List<String> files();

    /** The mapper with what was learned; call once, after the last {@link #add}. */
    AnomalyMapper build();

    /** The learned state, file by file ({@link #files()}); after {@link #build()}. */
    Map<String, byte[]> bytes();

    /**
     * The pretrained backbone each file was built with, for {@code model.json}
     * ({@code ModelManifest.backbones}); after {@link #build()}. Default: none.
     */
    default Map<String, String> backbones() {
      return Map.of();
    }
  }

  /**
   * The fitter of {@code config.map()}, or empty if that map learns nothing from normal data.
   *
   * @param size vectors (or other units) the state keeps; 0 for the map's own setting
   *     ({@code bankSize})
   */
  public static Optional<Fitter> fitter(LoadedModel model, EngineConfig config, int size) {
    return fitterOfPart(model, config, size).map(f -> new Fitter() {
      @Override
      public void add(AnomalyEngine.ImageInput input, float[][] tiles, int channels, int height,
          int width) {
        f.add(input, tiles, channels, height, width);
      }

      @Override
      public List<String> files() {
        return f.files();
      }

      @Override
      public AnomalyMapper build() {
        return TileViewMapper.wrap(f.build(), config.views());
      }

      @Override
      public Map<String, byte[]> bytes() {
        return f.bytes();
      }

      @Override
      public Map<String, String> backbones() {
        return f.backbones();
      }
    });
  }

  /**
   * A part's fitter: its {@link Fitter#build()} gives the mapper without the test-time views,
   * though a k-NN bank is fitted on every view of each normal tile.
   */
  private static Optional<Fitter> fitterOfPart(LoadedModel model, EngineConfig config, int size) {
    if (config.map() instanceof MapConfig.Sum sum) {
      return Optional.of(new SumFitter(model, config, sum, size));
    }
    if (!(config.map() instanceof MapConfig.Knn knn)) {
      return Optional.empty();
    }
    FeatureBank.Builder builder = FeatureBank.builder(model, config, knn,
        size > 0 ? size : knn.bankSize(), config.seed());
    return Optional.of(new Fitter() {
      private FeatureBank bank;

      @Override
      public void add(AnomalyEngine.ImageInput input, float[][] tiles, int channels, int height,
          int width) {
        TileViewMapper.requireSquare(config.views(), height, width);
        for (int[] view : config.views().views()) {
          float[][] viewed = TileViewMapper.viewAll(tiles, channels, height, width, view);
          int vh = view[0] % 2 == 0 ? height : width;
          int vw = view[0] % 2 == 0 ? width : height;
          builder.add(Arrays.asList(viewed), channels, vh, vw);
        }
      }

      @Override
      public List<String> files() {
        return List.of(FeatureBank.FILE);
      }

      @Override
      public AnomalyMapper build() {
        bank = builder.build();
        return new KnnMapper(bank);
      }

      @Override
      public Map<String, byte[]> bytes() {
        if (bank == null) {
          throw new IllegalStateException("build() first");
        }
        return Map.of(FeatureBank.FILE, bank.toBytes());
      }

      @Override
      public Map<String, String> backbones() {
        if (bank == null) {
          throw new IllegalStateException("build() first");
        }
        return knn.backbone() == null ? Map.of() : Map.of(FeatureBank.FILE, bank.featureSource());
      }
    });
  }

  /**
   * The sum's fitter: the parts that learn are fitted on the normal inputs; then every part scores
   * a sample of those inputs (unsmoothed) and its mean and standard deviation are kept.
   */
  private static final class SumFitter implements Fitter {
    /** Normal inputs kept for the parts' statistics. */
    private static final int STATS_INPUTS = 48;
    private final LoadedModel model;
    private final EngineConfig config;
    private final MapConfig.Sum sum;
    private final List<Optional<Fitter>> partFitters = new ArrayList<>();
    private final List<AnomalyEngine.ImageInput> kept = new ArrayList<>();
    private final java.util.SplittableRandom rng;
    private long seen;
    private SumStats stats;
    private final Map<String, byte[]> partBytes = new java.util.TreeMap<>();

    SumFitter(LoadedModel model, EngineConfig config, MapConfig.Sum sum, int size) {
      this.model = model;
      this.config = config;
      this.sum = sum;
      this.rng = new java.util.SplittableRandom(config.seed() ^ 0x53554DL);
      for (MapConfig part : sum.parts()) {
        partFitters.add(fitterOfPart(model, config.toBuilder().map(part).build(), size));
      }
    }

    @Override
    public void add(AnomalyEngine.ImageInput input, float[][] tiles, int channels, int height,
        int width) {
      for (Optional<Fitter> f : partFitters) {
        f.ifPresent(p -> p.add(input, tiles, channels, height, width));
      }
      seen++;
      if (kept.size() < STATS_INPUTS) {
        kept.add(input);
      } else {
        long slot = rng.nextLong(seen);
        if (slot < STATS_INPUTS) {
          kept.set((int) slot, input);
        }
      }
    }

    @Override
    public List<String> files() {
      List<String> f = new ArrayList<>();
      for (Optional<Fitter> p : partFitters) {
        p.ifPresent(x -> f.addAll(x.files()));
      }
      f.add(SumStats.FILE);
      return f;
    }

    @Override
    public AnomalyMapper build() {
      if (kept.isEmpty()) {
        throw new IllegalStateException("no normal inputs were added to the sum's fitter");
      }
      List<AnomalyMapper> parts = new ArrayList<>();
      double[] means = new double[sum.parts().size()];
      double[] stds = new double[means.length];
      try {
        for (int i = 0; i < sum.parts().size(); i++) {
          EngineConfig partConfig = config.toBuilder().map(sum.parts().get(i)).build();
          Optional<Fitter> f = partFitters.get(i);
          AnomalyMapper mapper = f.isPresent() ? f.get().build() : openPart(model, partConfig);
          parts.add(mapper);
          f.ifPresent(x -> partBytes.putAll(x.bytes()));
          EngineConfig raw = partConfig.toBuilder().smoothSigma(0.0).build();
          // the part's statistics over the views it is served with (the wrapper holds nothing)
          double s = 0;
          double s2 = 0;
          long n = 0;
          try (AnomalyEngine engine = new AnomalyEngine(model, raw,
              TileViewMapper.wrap(mapper, config.views()))) {
            for (AnomalyEngine.ScoreResult r : engine.scoreAll(kept)) {
              for (float v : r.map()) {
                s += v;
                s2 += (double) v * v;
                n++;
              }
            }
          }
          means[i] = s / n;
          stds[i] = Math.sqrt(Math.max(s2 / n - means[i] * means[i], 0)) + 1e-12;
        }
      } catch (RuntimeException e) {
        parts.forEach(AnomalyMapper::close);
        throw e;
      }
      stats = new SumStats(means, stds, sum);
      return new SumMapper(parts, weights(sum), means, stds);
    }

    @Override
    public Map<String, byte[]> bytes() {
      if (stats == null) {
        throw new IllegalStateException("build() first");
      }
      Map<String, byte[]> all = new java.util.TreeMap<>(partBytes);
      all.put(SumStats.FILE, stats.toBytes());
      return all;
    }

    @Override
    public Map<String, String> backbones() {
      Map<String, String> all = new java.util.TreeMap<>();
      for (Optional<Fitter> p : partFitters) {
        p.ifPresent(x -> all.putAll(x.backbones()));
      }
      return all;
    }
  }

  private static String spellings(MapKind... kinds) {
    return Arrays.stream(kinds).map(MapKind::spelling).toList().toString();
  }
}
