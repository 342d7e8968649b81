package ai.diffad.denoise.engine;

import java.util.List;

/**
 * The anomaly-model extension point (anomalib's split of a model into its parts): turns a batch of
 * prepared inputs — their tiles and, where the mapper needs them, the reconstructions — into one
 * anomaly map per input at the working resolution. {@link AnomalyEngine} prepares (resize, pad,
 * tile), reconstructs when {@link #needsReconstruction()} says so, calls the mapper, and
 * post-processes (crop, resize to the input, smooth, reduce to a score) without knowing which
 * mapper it has.
 *
 * <p>Implementations: {@link PixelErrorMapper} (L1, L2, SSIM, mix), {@link FeatureMapper} (the
 * network's encoder features of input and reconstruction), {@link KnnMapper} (distance to a bank
 * of normal features, learned by {@code diffad calibrate} and saved in the model directory). A new
 * kind of map is one class here and one case in {@link AnomalyMappers}.
 *
 * <p>A mapper may hold native memory (the k-NN bank); the engine's owner closes it.
 */
public interface AnomalyMapper extends AutoCloseable {
  /** Whether {@link #maps} reads the reconstructions; if not, the engine does not reconstruct. */
  boolean needsReconstruction();

  /**
   * One map per input of the batch, each (H, W) of that input's working (padded) size; for a
   * series (1, L).
   */
  List<float[]> maps(MapBatch batch);

  /**
   * For series: how many of a window's last rows have map values that depend on no row after
   * their own (0 for a reconstruction, which sees the whole window). A causal scorer may give
   * each of those rows its own value; otherwise it must treat the window's map as known only at
   * the window's end. Default 0.
   */
  default int causalRows() {
    return 0;
  }

  /** Frees what the mapper holds (default: nothing). */
  @Override
  default void close() {}
}
