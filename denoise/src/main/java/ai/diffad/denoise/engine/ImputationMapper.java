package ai.diffad.denoise.engine;

import ai.diffad.config.ConfigException;
import ai.diffad.config.EngineConfig;
import ai.diffad.config.MapConfig;
import ai.diffad.config.MapKind;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.impute.Imputation;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Objects;

/**
 * The imputation error of series windows (ImDiffusion): each window is scored in {@link
 * MapConfig.Imputation#passes(int)} passes, each hiding the rows (or the sensor) of one scoring
 * mask ({@link Imputation#scoringMasks}); per pass the window is noised to t* and the engine's
 * sampler runs its steps from there with the network conditioned on the window's visible rows and
 * the mask ({@link Reconstructor#reconstruct(float[][], long[], Reconstructor.Conditioning, int,
 * long...)}: K = steps network calls per pass, all windows and passes batched together). The map
 * of a row is its L1 or L2 imputation error averaged over channels, each channel's taken from the
 * pass that hid it (a row mask hides all value channels of a row, a sensor mask one channel of all
 * rows; a context channel is never hidden, so it is never in the map); a row no pass hides (the
 * older rows of a {@code last} mask) takes the mean over the hidden rows of its window. By default
 * every window starts from the same noise ({@code sharedNoise}): on a stationary series the error
 * of a window then moves with its content only, not with a per-window noise draw (NAB standard
 * 57.1 with noise per window against 58.7 to 60.3 shared, over four noise keys). Needs a model
 * trained with an {@code imputation} section (2C + 1 input channels, or 3C with a mask per
 * channel: sensor masks or context channels).
 */
final class ImputationMapper implements AnomalyMapper {
  /** The noise key of every window when {@link MapConfig.Imputation#sharedNoise()} is on. */
  static final long SHARED_KEY = 0L;

  private final MapConfig.Imputation map;
  private final Reconstructor reconstructor;
  private final int length;
  private final int channels;
  private final int valueChannels;
  private final int maskChannels;

  ImputationMapper(LoadedModel model, EngineConfig config, MapConfig.Imputation map) {
    this.map = Objects.requireNonNull(map, "map");
    if (config.guidance() > 0) {
      throw new ConfigException("reconstruction.guidance", "must be 0 with map imputation (the"
          + " imputer is conditioned on the visible rows instead), got " + config.guidance());
    }
    if (map.ensemble() > config.steps()) {
      throw new ConfigException("map.ensemble", "must be at most reconstruction.steps ("
          + config.steps() + "), got " + map.ensemble());
    }
    ai.diffad.config.DiffadConfig profile = model.manifest().config();
    this.length = profile.data().size();
    this.channels = profile.data().channels();
    this.valueChannels = profile.data().valueChannels();
    this.maskChannels = profile.maskChannels();
    try {
      Imputation.scoringMasks(map, valueChannels, maskChannels, length, 0L);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("map", e.getMessage() + " of model " + model.manifest().name());
    }
    this.reconstructor = new Reconstructor(model, config);
  }

  @Override
  public boolean needsReconstruction() {
    return false;
  }

  /**
   * The hidden rows of a {@code last} mask: each is imputed from the rows before the hidden block
   * only, and its error reads its own value, so its map value is known at its own row.
   */
  @Override
  public int causalRows() {
    return map.mask() == ai.diffad.config.MaskKind.LAST ? map.lastRows() : 0;
  }

  @Override
  public List<float[]> maps(MapBatch batch) {
    float[][] tiles = batch.tiles();
    int c = batch.channels();
    int l = batch.tileWidth();
    if (l != length) {
      throw new IllegalStateException("windows of " + l + " rows, the model's are " + length);
    }
    if (c != channels) {
      throw new IllegalStateException("windows of " + c + " channels, the model's are " + channels);
    }
    int passes = map.passes(valueChannels);
    int ml = maskChannels * l;
    int jobs = tiles.length * passes;
    float[][] jobTiles = new float[jobs][];
    long[] jobKeys = new long[jobs];
    float[][] masks = new float[jobs][];
    for (int i = 0; i < tiles.length; i++) {
      float[][] m = Imputation.scoringMasks(map, valueChannels, maskChannels, l, batch.keys()[i]);
      for (int p = 0; p < passes; p++) {
        int j = i * passes + p;
        jobTiles[j] = tiles[i];
        // The same start noise for every pass of a window: passes differ by their mask only. With
        // shared noise every window gets it too (common random numbers): a window's error then
        // changes with its content, not with a noise draw that no other window shares.
        jobKeys[j] = map.sharedNoise() ? SHARED_KEY : batch.keys()[i];
        masks[j] = m[p];
      }
    }
    Reconstructor.Conditioning conditioning = (base, clean, start) -> {
      int b = (int) clean.getShape().get(0);
      float[] packed = new float[b * ml];
      for (int k = 0; k < b; k++) {
        System.arraycopy(masks[start + k], 0, packed, k * ml, ml);
      }
      NDArray mask = clean.getManager().create(packed, new Shape(b, maskChannels, l));
      return (x, t, labels) -> {
        try (NDArray in = Imputation.input(x, clean, mask)) {
          return base.apply(in, t, labels);
        }
      };
    };
    float[][] imputed = jobs == 0 ? new float[0][]
        : reconstructor.reconstruct(jobTiles, jobKeys, conditioning, map.ensemble(), l).tiles();
    float[][] tileMaps = new float[tiles.length][];
    boolean square = map.error() == MapKind.L2;
    double[] err = new double[c * l];
    boolean[] seen = new boolean[c * l];
    for (int i = 0; i < tiles.length; i++) {
      // The error of each value, from the pass that hid it (a single row mask hides all channels of
      // a row; context channels are never hidden, so they never enter the map).
      java.util.Arrays.fill(seen, false);
      for (int p = 0; p < passes; p++) {
        int j = i * passes + p;
        for (int ch = 0; ch < c; ch++) {
          int mo = maskChannels == 1 ? 0 : ch * l;
          for (int r = 0; r < l; r++) {
            int v = ch * l + r;
            if (masks[j][mo + r] == 0f || seen[v]) {
              continue;
            }
            double d = tiles[i][v] - imputed[j][v];
            err[v] = square ? d * d : Math.abs(d);
            seen[v] = true;
          }
        }
      }
      float[] out = new float[l];
      boolean[] rowSeen = new boolean[l];
      double sum = 0;
      int hidden = 0;
      for (int r = 0; r < l; r++) {
        double e = 0;
        int n = 0;
        for (int ch = 0; ch < c; ch++) {
          if (seen[ch * l + r]) {
            e += err[ch * l + r];
            n++;
          }
        }
        if (n > 0) {
          out[r] = (float) (e / n);
          rowSeen[r] = true;
          sum += out[r];
          hidden++;
        }
      }
      float fill = hidden == 0 ? 0f : (float) (sum / hidden);
      for (int r = 0; r < l; r++) {
        if (!rowSeen[r]) {
          out[r] = fill;
        }
      }
      tileMaps[i] = out;
    }
    return batch.stitchPerTile(tileMaps);
  }

  @Override
  public String toString() {
    return "imputation[" + map.mask().spelling() + ", " + map.passes(valueChannels)
        + (map.mask() == ai.diffad.config.MaskKind.SENSOR ? " passes (one per sensor)" : " passes")
        + (maskChannels > valueChannels ? ", " + (maskChannels - valueChannels)
            + " context channel(s)" : "") + ", ensemble " + map.ensemble() + ", "
        + map.error().spelling()
        + (map.sharedNoise() ? ", shared noise" : ", noise per window") + "]";
  }
}
