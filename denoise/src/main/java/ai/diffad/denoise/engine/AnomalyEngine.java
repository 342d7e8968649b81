package ai.diffad.denoise.engine;

import ai.diffad.config.DiffadConfig;
import ai.diffad.config.EngineConfig;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.noise.NoiseGenerator;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * The one entry point the CLI and the Flink jobs call to score inputs: resize like training,
 * tile, partially noise and reconstruct ({@link Reconstructor}), stitch, and turn the error into a
 * map and a score ({@link AnomalyMaps}).
 *
 * <p>Images: if the model was trained with {@code data.resize} (shorter side), the input is
 * resized the same way first; the error map is computed at that working resolution, resized back
 * (bilinear) to the input size, smoothed with {@code engine.smoothSigma} input pixels, and reduced
 * to the score. The reconstruction is returned at input size too. Tiles of several images share
 * network batches in {@link #scoreAll}.
 *
 * <p>Series: windows of the model's length with {@code engine.tileOverlap}, a per-time-step score
 * (error averaged over channels, smoothed in time) and per-window scores over windows of the
 * model's length and {@code data.stride}.
 *
 * <p>The path of an input: prepare (resize like training, reflect-pad, tile), reconstruct when the
 * {@link AnomalyMapper} needs it, map ({@link AnomalyMapper#maps}), post-process (crop the pad,
 * resize the map to the input, smooth, reduce to a score). The engine does not know which map it
 * makes.
 *
 * <p>Borrows the model (the caller closes it); owns the mapper it opened (the k-NN bank is native
 * memory), so close the engine before the model. One instance per thread, like the model.
 */
public final class AnomalyEngine implements AutoCloseable {
  private final LoadedModel model;
  private final EngineConfig config;
  private final DiffadConfig trained;
  private final Reconstructor reconstructor;
  private final Tiler tiler;
  private final boolean sensor;
  private final AnomalyMapper mapper;
  private final boolean ownsMapper;

  /**
   * An engine with the mapper of {@code config.map()} ({@link AnomalyMappers#open}), which it owns:
   * close the engine before the model.
   *
   * @param model the loaded model (borrowed)
   * @param config how to reconstruct, map and score
   * @throws ai.diffad.config.ConfigException if the map does not suit the model or needs state the
   *     model does not have
   * @throws IllegalArgumentException if t* is not below T or the tile size does not suit the
   *     network
   */
  public AnomalyEngine(LoadedModel model, EngineConfig config) {
    this(model, config, null, true);
  }

  /**
   * An engine with a given mapper (borrowed: the caller closes it), for example one just fitted.
   *
   * @param model the loaded model (borrowed)
   * @param config how to reconstruct and score
   * @param mapper turns tiles (and reconstructions) into maps
   */
  public AnomalyEngine(LoadedModel model, EngineConfig config, AnomalyMapper mapper) {
    this(model, config, Objects.requireNonNull(mapper, "mapper"), false);
  }

  private AnomalyEngine(LoadedModel model, EngineConfig config, AnomalyMapper mapper,
      boolean owns) {
    this.model = Objects.requireNonNull(model, "model");
    this.config = Objects.requireNonNull(config, "config");
    this.trained = model.manifest().config();
    this.sensor = model.manifest().isSeries();
    if (sensor && !AnomalyMappers.seriesKinds().contains(config.map().kind())) {
      throw new ai.diffad.config.ConfigException("map", config.map().kind().spelling() + " is available"
          + " for image models only; for series use one of " + AnomalyMappers.seriesKinds()
          .stream().map(k -> k.spelling()).toList());
    }
    if (sensor && config.views() != ai.diffad.config.TileViews.NONE) {
      throw new ai.diffad.config.ConfigException("tiling.views", "test-time views turn and mirror"
          + " images; for series models use none, got " + config.views().spelling());
    }
    this.reconstructor = new Reconstructor(model, config);
    int tile = sensor || config.tileSize() == 0 ? trained.data().size() : config.tileSize();
    this.tiler = Tiler.of(tile, config.tileOverlap(), trained.network().sizeMultiple());
    this.mapper = mapper != null ? mapper : AnomalyMappers.open(model, config);
    this.ownsMapper = owns;
  }

  /** Closes the mapper if the engine opened it. */
  @Override
  public void close() {
    if (ownsMapper) {
      mapper.close();
    }
  }

  /** The mapper that makes this engine's maps. */
  public AnomalyMapper mapper() {
    return mapper;
  }

  /**
   * One image to score.
   *
   * @param id input id (also keys the noise, so the same id and pixels give the same result)
   * @param planar (C, H, W) in [-1, 1]
   * @param channels C, the model's channel count
   * @param height H
   * @param width W
   */
  public record ImageInput(String id, float[] planar, int channels, int height, int width) {
    /** Checks the array length against the shape. */
    public ImageInput {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(planar, "planar");
      if (channels <= 0 || height <= 0 || width <= 0
          || planar.length != (long) channels * height * width) {
        throw new IllegalArgumentException(id + ": " + planar.length + " values do not make a "
            + channels + "x" + height + "x" + width + " image");
      }
    }
  }

  /**
   * The outcome for one image.
   *
   * @param id the input id
   * @param score the image score (engine.score over the smoothed map)
   * @param map the smoothed anomaly map, (H, W) at input resolution
   * @param reconstruction the reconstruction, (C, H, W) at input resolution
   * @param channels C
   * @param height H
   * @param width W
   * @param modelMs network time spent on this image (its share of shared batches)
   * @param totalMs modelMs plus this image's own pre- and post-processing
   */
  public record ScoreResult(String id, double score, float[] map, float[] reconstruction,
      int channels, int height, int width, double modelMs, double totalMs) {}

  /**
   * The outcome for one series.
   *
   * @param id the input id
   * @param score engine.score over the per-step scores
   * @param perStep smoothed error per time step, averaged over channels, length L
   * @param windows scores of windows of the model's length and data.stride
   * @param reconstruction the reconstruction, (C, L) in the normalised units of the input
   * @param channels C
   * @param length L
   * @param modelMs network time
   * @param totalMs modelMs plus pre- and post-processing
   */
  public record SeriesScoreResult(String id, double score, float[] perStep,
      AnomalyMaps.WindowScores windows, float[] reconstruction, int channels, int length,
      double modelMs, double totalMs) {}

  /** The engine configuration. */
  public EngineConfig config() {
    return config;
  }

  /** The tiler (tile side and overlap) this engine cuts inputs with. */
  public Tiler tiler() {
    return tiler;
  }

  /** The reconstructor, for callers that want reconstructions without maps. */
  public Reconstructor reconstructor() {
    return reconstructor;
  }

  /**
   * Scores one image.
   *
   * @param planar (C, H, W) in [-1, 1]
   * @param c channels; must be the model's
   * @param h height
   * @param w width
   * @param id input id
   * @return score, map and reconstruction at input resolution
   */
  public ScoreResult score(float[] planar, int c, int h, int w, String id) {
    return scoreAll(List.of(new ImageInput(id, planar, c, h, w))).get(0);
  }

  /**
   * Scores several images, packing the tiles of all of them into shared network batches. The
   * results equal those of scoring each image alone (noise is keyed by id and tile).
   *
   * @param inputs images, any sizes
   * @return one result per input, in order
   */
  public List<ScoreResult> scoreAll(List<ImageInput> inputs) {
    if (sensor) {
      throw new IllegalStateException("model " + model.manifest().name()
          + " is a sensor model; use scoreSeries");
    }
    int n = inputs.size();
    long[] ownNanos = new long[n];
    List<MapBatch.Prepared> prepared = new ArrayList<>(n);
    List<float[]> allTiles = new ArrayList<>();
    List<Long> allKeys = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      ImageInput in = inputs.get(i);
      if (in.channels() != trained.data().channels()) {
        throw new IllegalArgumentException(in.id() + ": image has " + in.channels()
            + " channels, the model takes " + trained.data().channels());
      }
      MapBatch.Prepared p = prepare(in, allTiles.size());
      prepared.add(p);
      float[][] tiles = p.plan().extractAll(p.work(), in.channels());
      for (int k = 0; k < tiles.length; k++) {
        allTiles.add(tiles[k]);
        allKeys.add(Reconstructor.tileKey(in.id(), k));
      }
      ownNanos[i] += System.nanoTime() - t0;
    }
    long[] keys = allKeys.stream().mapToLong(Long::longValue).toArray();
    float[][] tiles = allTiles.toArray(new float[0][]);
    long m0 = System.nanoTime();
    float[][] recon = null;
    if (mapper.needsReconstruction() && tiles.length > 0) {
      int[] owner = new int[tiles.length];
      for (int i = 0; i < n; i++) {
        Arrays.fill(owner, prepared.get(i).firstTile(),
            prepared.get(i).firstTile() + prepared.get(i).plan().count(), i);
      }
      FieldNoise field = new FieldNoise(owner, i -> prepared.get(i).plan(),
          i -> inputs.get(i).id(), trained.data().channels());
      recon = reconstructor.reconstruct(tiles, keys, field, tiler.tileSize(), tiler.tileSize())
          .tiles();
    }
    MapBatch batch = new MapBatch(prepared, tiles, recon, keys, trained.data().channels());
    List<float[]> errors = tiles.length == 0 ? List.of() : mapper.maps(batch);
    double msPerTile = tiles.length == 0 ? 0 : (System.nanoTime() - m0) / 1e6 / tiles.length;
    List<ScoreResult> results = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      ImageInput in = inputs.get(i);
      MapBatch.Prepared p = prepared.get(i);
      float[] error = errors.get(i);
      float[] rec = batch.reconstructionOf(i);
      int pad = config.padding();
      int wh = p.height() - 2 * pad;
      int ww = p.width() - 2 * pad;
      if (pad > 0) {
        error = crop(error, 1, p.height(), p.width(), pad);
        rec = crop(rec, in.channels(), p.height(), p.width(), pad);
      }
      // Error at the working resolution, where the model saw the texture; only the map is
      // interpolated back, so upsampling does not add interpolation error of its own.
      float[] map = Resampling.bilinear(error, 1, wh, ww, in.height(), in.width());
      map = AnomalyMaps.smooth(map, in.height(), in.width(), config.smoothSigma());
      float[] reconOut = Resampling.bilinear(rec, in.channels(), wh, ww, in.height(), in.width());
      double score = AnomalyMaps.score(map, config.reduction(), config.topKPercent());
      ownNanos[i] += System.nanoTime() - t0;
      double modelMs = msPerTile * p.plan().count();
      results.add(new ScoreResult(in.id(), score, map, reconOut, in.channels(), in.height(),
          in.width(), modelMs, modelMs + ownNanos[i] / 1e6));
    }
    return results;
  }

  /** Resizes like training and pads; the tile plan of the result. */
  private MapBatch.Prepared prepare(ImageInput in, int firstTile) {
    int[] size = Resampling.shorterSide(in.height(), in.width(), trained.data().resize());
    float[] work = Resampling.likeTraining(
        in.planar(), in.channels(), in.height(), in.width(), size[0], size[1]);
    int pad = config.padding();
    if (pad > 0) {
      work = reflectPad(work, in.channels(), size[0], size[1], pad);
    }
    int h = size[0] + 2 * pad;
    int w = size[1] + 2 * pad;
    return new MapBatch.Prepared(work, h, w, tiler.plan(h, w), firstTile);
  }

  /** (C, H + 2 pad, W + 2 pad): the image extended by reflection (reflect-101) on every side. */
  static float[] reflectPad(float[] planar, int c, int h, int w, int pad) {
    int ph = h + 2 * pad;
    int pw = w + 2 * pad;
    float[] out = new float[c * ph * pw];
    for (int k = 0; k < c; k++) {
      for (int y = 0; y < ph; y++) {
        int sy = reflectIndex(y - pad, h);
        for (int x = 0; x < pw; x++) {
          out[(k * ph + y) * pw + x] = planar[(k * h + sy) * w + reflectIndex(x - pad, w)];
        }
      }
    }
    return out;
  }

  /** Reflect-101 of an index that may be negative or past the end. */
  static int reflectIndex(int i, int n) {
    if (n == 1) {
      return 0;
    }
    int period = 2 * (n - 1);
    int m = Math.floorMod(i, period);
    return m < n ? m : period - m;
  }

  /** The inner (C, H - 2 pad, W - 2 pad) of a padded array. */
  static float[] crop(float[] planar, int c, int h, int w, int pad) {
    int ih = h - 2 * pad;
    int iw = w - 2 * pad;
    float[] out = new float[c * ih * iw];
    for (int k = 0; k < c; k++) {
      for (int y = 0; y < ih; y++) {
        System.arraycopy(planar, (k * h + y + pad) * w + pad, out, (k * ih + y) * iw, iw);
      }
    }
    return out;
  }

  /**
   * The tiles the engine cuts an image into, at the working resolution (the model's training
   * resize), each (C, tile, tile); for fitting a mapper ({@link AnomalyMappers#fitter}) on normal
   * images.
   */
  public float[][] tiles(ImageInput in) {
    MapBatch.Prepared p = prepare(in, 0);
    return p.plan().extractAll(p.work(), in.channels());
  }

  /**
   * Scores one series (already normalised with the statistics saved at training).
   *
   * @param normalisedValues (C, L), channel-major
   * @param channels C; must be the model's
   * @param length L
   * @param id input id
   * @return per-step and per-window scores, the series score and the reconstruction
   */
  public SeriesScoreResult scoreSeries(float[] normalisedValues, int channels, int length,
      String id) {
    if (!sensor) {
      throw new IllegalStateException("model " + model.manifest().name()
          + " is an image model; use score");
    }
    Objects.requireNonNull(id, "id");
    if (channels != trained.data().channels() || length <= 0
        || normalisedValues.length != (long) channels * length) {
      throw new IllegalArgumentException(id + ": " + normalisedValues.length
          + " values as " + channels + " channels of " + length + " steps; the model takes "
          + trained.data().channels() + " channels");
    }
    long t0 = System.nanoTime();
    TilePlan plan = tiler.plan(length);
    float[][] windows = plan.extractAll(normalisedValues, channels);
    long[] keys = new long[windows.length];
    for (int k = 0; k < keys.length; k++) {
      keys[k] = Reconstructor.tileKey(id, k);
    }
    float[][] recon = null;
    double modelMs = 0;
    if (mapper.needsReconstruction()) {
      FieldNoise field = new FieldNoise(new int[windows.length], i -> plan, i -> id, channels);
      Reconstructor.Result rec =
          reconstructor.reconstruct(windows, keys, field, tiler.tileSize());
      recon = rec.tiles();
      modelMs = rec.modelMs();
    }
    MapBatch batch = new MapBatch(List.of(new MapBatch.Prepared(normalisedValues, 1, length, plan,
        0)), windows, recon, keys, channels);
    float[] error = mapper.maps(batch).get(0);
    float[] reconstruction = batch.reconstructionOf(0);
    float[] perStep = AnomalyMaps.smooth(error, 1, length, config.smoothSigma());
    AnomalyMaps.WindowScores ws = AnomalyMaps.windowScores(perStep, trained.data().size(),
        trained.data().stride(), config.reduction(), config.topKPercent());
    double score = AnomalyMaps.score(perStep, config.reduction(), config.topKPercent());
    double totalMs = (System.nanoTime() - t0) / 1e6;
    return new SeriesScoreResult(id, score, perStep, ws, reconstruction, channels, length, modelMs,
        totalMs);
  }

  /**
   * The maps of whole windows of a series model, each window one input of the model's length
   * (callers that cut windows themselves, such as a causal scorer): reconstructed (noise keyed by
   * {@code keys}) when the mapper needs it, then mapped; no smoothing.
   *
   * @param windows each (C, L) with L the model's window length
   * @param keys one noise key per window ({@link Reconstructor#tileKey})
   * @return one map of L values per window
   */
  public float[][] windowMaps(float[][] windows, long[] keys) {
    if (!sensor) {
      throw new IllegalStateException("model " + model.manifest().name()
          + " is an image model; windowMaps is for series");
    }
    int length = trained.data().size();
    int channels = trained.data().channels();
    float[][] recon = mapper.needsReconstruction()
        ? reconstructor.reconstruct(windows, keys, length).tiles() : null;
    TilePlan plan = Tiler.of(length, 0.0, 1).plan(length);
    List<MapBatch.Prepared> inputs = new java.util.ArrayList<>(windows.length);
    for (int i = 0; i < windows.length; i++) {
      inputs.add(new MapBatch.Prepared(windows[i], 1, length, plan, i));
    }
    List<float[]> maps = mapper.maps(new MapBatch(inputs, windows, recon, keys, channels));
    return maps.toArray(new float[0][]);
  }

  /**
   * The noise to t* as one field per input (at its padded size), cut like the input: overlapping
   * tiles then start from the same x_{t*} in their overlap and reconstruct it alike, which keeps
   * seams out of maps. A field is drawn from (base seed, input id), so results do not depend on
   * batching. Fields of the inputs in flight are kept (tiles arrive in input order).
   */
  private final class FieldNoise implements Reconstructor.StartNoise {
    private static final long FIELD_SALT = 0x2545F4914F6CDD1DL;
    private final int[] owner;
    private final IntFunction<TilePlan> plans;
    private final IntFunction<String> ids;
    private final int channels;
    private final NoiseGenerator generator;
    private final Map<Long, float[]> cache;
    private int[] firstOfOwner;

    FieldNoise(int[] owner, IntFunction<TilePlan> plans,
        IntFunction<String> ids, int channels) {
      this.owner = owner;
      this.plans = plans;
      this.ids = ids;
      this.channels = channels;
      this.generator = NoiseGenerator.of(config.noise());
      // A batch touches at most batchSize inputs, each once per seed; the input whose tiles
      // continue into the next batch is the one used last, so LRU keeps it.
      int keep = config.seeds() * (config.batchSize() + 1);
      this.cache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, float[]> eldest) {
          return size() > keep;
        }
      };
    }

    @Override
    public float[] forTile(int tile, long baseSeed) {
      if (firstOfOwner == null) {
        int inputs = owner.length == 0 ? 0 : owner[owner.length - 1] + 1;
        firstOfOwner = new int[inputs];
        Arrays.fill(firstOfOwner, -1);
        for (int g = 0; g < owner.length; g++) {
          if (firstOfOwner[owner[g]] < 0) {
            firstOfOwner[owner[g]] = g;
          }
        }
      }
      int i = owner[tile];
      TilePlan plan = plans.apply(i);
      long seed = Reconstructor.mix(Reconstructor.mix(baseSeed ^ FIELD_SALT)
          ^ Reconstructor.tileKey(ids.apply(i), -1));
      float[] f = cache.computeIfAbsent(seed * 31 + i, k -> generator.generate(
          plan.isSeries()
              ? new Shape(1, channels, plan.paddedWidth())
              : new Shape(1, channels, plan.paddedHeight(),
                  plan.paddedWidth()),
          seed));
      return plan.extractPadded(f, channels, tile - firstOfOwner[i]);
    }
  }

  @Override
  public String toString() {
    return "AnomalyEngine[" + model.manifest().name() + ", " + reconstructor + ", " + tiler
        + ", map " + mapper + " sigma " + config.smoothSigma() + ", score "
        + config.reduction().spelling() + "]";
  }
}
