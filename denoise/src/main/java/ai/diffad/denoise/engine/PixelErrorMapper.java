package ai.diffad.denoise.engine;

import ai.diffad.config.MapKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The reconstruction error per pixel (or time step): L1, L2, 1 - SSIM, or their weighted mix
 * ({@link AnomalyMaps#error}), between the prepared input and its stitched reconstruction,
 * averaged over channels. Stateless; works on images and series.
 */
public final class PixelErrorMapper implements AnomalyMapper {
  private final MapKind kind;
  private final List<Double> mixWeights;

  /**
   * @param kind L1, L2, SSIM or MIX
   * @param mixWeights weights of L1, L2, SSIM for MIX (ignored otherwise)
   */
  public PixelErrorMapper(MapKind kind, List<Double> mixWeights) {
    this.kind = Objects.requireNonNull(kind, "kind");
    this.mixWeights = mixWeights;
  }

  @Override
  public boolean needsReconstruction() {
    return true;
  }

  @Override
  public List<float[]> maps(MapBatch batch) {
    List<float[]> out = new ArrayList<>(batch.inputs().size());
    for (int i = 0; i < batch.inputs().size(); i++) {
      MapBatch.Prepared p = batch.inputs().get(i);
      out.add(AnomalyMaps.error(p.work(), batch.reconstructionOf(i), batch.channels(), p.height(),
          p.width(), kind, mixWeights));
    }
    return out;
  }

  @Override
  public String toString() {
    return kind.spelling();
  }
}
