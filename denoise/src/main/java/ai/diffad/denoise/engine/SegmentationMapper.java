package ai.diffad.denoise.engine;

import ai.diffad.config.ConfigException;
import ai.diffad.config.EngineConfig;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.artifact.ModelManifest;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.List;
import java.util.Objects;

/**
 * The detector's map (DESIGN.md, "The detector"): the segmentation head of the model on
 * concat(tile, reconstruction), its sigmoid per pixel, stitched into the input's map. The
 * reconstruction is the engine's (noise to t*, the configured sampler and steps; one DDIM step is
 * the one-step x0 estimate the head was trained on; {@code reconstruction.seeds} averages it over
 * noise draws). Tiles go through the head in batches of {@code reconstruction.batchSize}; every
 * array of a batch lives in a sub-manager closed when the batch ends.
 */
public final class SegmentationMapper implements AnomalyMapper {
  private final LoadedModel model;
  private final EngineConfig config;

  /**
   * @param model a model with a {@value ModelManifest#SEGMENTER} network (borrowed)
   * @param config batch size
   * @throws ConfigException (field map) if the model has no segmentation head
   */
  public SegmentationMapper(LoadedModel model, EngineConfig config) {
    this.model = Objects.requireNonNull(model, "model");
    this.config = Objects.requireNonNull(config, "config");
    if (!model.networkNames().contains(ModelManifest.SEGMENTER)) {
      throw new ConfigException("map", "segmentation needs a model trained with a detector section"
          + " (a " + ModelManifest.SEGMENTER + " network); model " + model.manifest().name()
          + " has only " + model.networkNames() + ": use a reconstruction map (l1, l2, ssim, mix,"
          + " feature, knn) or train the detector profile");
    }
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
      // (b, 2C, H, W): each tile's channels, then its reconstruction's.
      float[] in = new float[b * 2 * per];
      for (int i = 0; i < b; i++) {
        System.arraycopy(batch.tiles()[start + i], 0, in, 2 * i * per, per);
        System.arraycopy(batch.reconstructions()[start + i], 0, in, (2 * i + 1) * per, per);
      }
      try (NDManager m = model.manager().newSubManager()) {
        NDArray x = m.create(in, new Shape(b, 2L * c, h, w));
        NDArray logits = model.forward(ModelManifest.SEGMENTER,
            new NDList(x, m.zeros(new Shape(b)))).singletonOrThrow();
        return Activation.sigmoid(logits).toFloatArray();
      }
    });
  }

  @Override
  public String toString() {
    return "segmentation";
  }
}
