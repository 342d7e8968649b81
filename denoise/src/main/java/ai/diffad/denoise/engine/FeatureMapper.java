package ai.diffad.denoise.engine;

import ai.diffad.config.EngineConfig;
import ai.diffad.config.MapConfig;
import ai.diffad.config.NoiseConfig;
import ai.diffad.model.ForwardProcess;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.noise.NoiseGenerator;
import ai.diffad.model.schedule.NoiseSchedule;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The feature map (DDAD's feature term with the diffusion network's own encoder instead of a
 * pretrained extractor): input and reconstruction tiles, noised alike to {@code map.featureT}
 * (the same noise for both, so only their difference shows), go through the network's encoder in
 * one batch; at each chosen level the per-position distance is 1 - cosine similarity over channels,
 * upsampled bilinearly to the tile and averaged over the levels; tiles are stitched into the
 * input's map. With a {@code backbone} (DDAD's own recipe), its chosen layers replace the encoder
 * levels and nothing is noised. Images only.
 *
 * <p>Every array of a batch lives in a sub-manager of the model's manager closed when the batch
 * ends; the mapper holds nothing between calls.
 */
public final class FeatureMapper implements AnomalyMapper {
  /** Salt of the noise that input and reconstruction share on their way into the encoder. */
  static final long FEATURE_NOISE_SALT = 0x2545F4914F6CDD1DL;

  private final LoadedModel model;
  private final EngineConfig config;
  private final MapConfig.Feature settings;
  private final ForwardProcess forward;
  private final FeatureSource source;

  /**
   * @param model the loaded model (borrowed)
   * @param config seed, batch size
   * @param settings the encoder step and levels
   */
  public FeatureMapper(LoadedModel model, EngineConfig config, MapConfig.Feature settings) {
    this.model = Objects.requireNonNull(model, "model");
    this.config = Objects.requireNonNull(config, "config");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.forward = new ForwardProcess(NoiseSchedule.of(model.manifest().config().schedule()));
    this.source = FeatureSource.of(model, settings.featureT(), settings.levels(),
        settings.backbone());
  }

  @Override
  public void close() {
    source.close();
  }

  @Override
  public boolean needsReconstruction() {
    return true;
  }

  @Override
  public List<float[]> maps(MapBatch batch) {
    return batch.mapInGroups(config, (start, b) -> {
      int c = batch.channels();
      int h = batch.tileHeight();
      int w = batch.tileWidth();
      int per = c * h * w;
      float[] y = new float[b * per];
      float[] r = new float[b * per];
      long[] seeds = new long[b];
      for (int i = 0; i < b; i++) {
        System.arraycopy(batch.tiles()[start + i], 0, y, i * per, per);
        System.arraycopy(batch.reconstructions()[start + i], 0, r, i * per, per);
        seeds[i] = Reconstructor.mix(Reconstructor.mix(config.seed()) ^ batch.keys()[start + i]);
      }
      return distances(y, r, b, c, h, w, seeds);
    });
  }

  /** (b, H, W) flattened: the mean over levels of 1 - cosine similarity, upsampled to the tile. */
  private float[] distances(float[] yv, float[] rv, int b, int c, int h, int w, long[] seeds) {
    float[] acc = new float[b * h * w];
    Shape shape = new Shape(b, c, h, w);
    try (NDManager f = model.manager().newSubManager()) {
      NDArray y = f.create(yv, shape);
      NDArray recon = f.create(rv, shape);
      NDArray pair = y.concat(recon, 0);
      int tf = settings.featureT();
      if (source.noised()) {
        NDArray n = f.create(Reconstructor.perTile(NoiseGenerator.of(NoiseConfig.gaussian()),
            shape, seeds, FEATURE_NOISE_SALT), shape);
        NDArray noised = forward.addNoise(pair, n.concat(n, 0), tf);
        noised.attach(f);
        pair = noised;
      }
      NDList levels = source.features(f, pair);
      for (NDArray a : levels) {
        NDArray fy = a.get("0:" + b);
        NDArray fr = a.get(b + ":");
        NDArray dot = fy.mul(fr).sum(new int[] {1});
        NDArray norms = fy.square().sum(new int[] {1}).sqrt()
            .mul(fr.square().sum(new int[] {1}).sqrt()).add(1e-6f);
        NDArray d = dot.div(norms).neg().add(1f);
        int lh = (int) d.getShape().get(1);
        int lw = (int) d.getShape().get(2);
        float[] dm = d.toFloatArray();
        for (int i = 0; i < b; i++) {
          float[] one = Arrays.copyOfRange(dm, i * lh * lw, (i + 1) * lh * lw);
          float[] up = Resampling.bilinear(one, 1, lh, lw, h, w);
          for (int k = 0; k < up.length; k++) {
            acc[i * h * w + k] += up[k] / levels.size();
          }
        }
      }
    }
    return acc;
  }

  @Override
  public String toString() {
    return settings.backbone() != null ? "feature (" + settings.backbone().describe() + ")"
        : "feature (t " + settings.featureT() + ", levels " + settings.levels() + ")";
  }
}
