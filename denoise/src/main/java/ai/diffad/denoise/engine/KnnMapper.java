package ai.diffad.denoise.engine;

import java.util.List;
import java.util.Objects;

/**
 * The k-NN map (PatchCore with the diffusion network's own encoder): each position's distance to
 * its nearest neighbour in a {@link FeatureBank} of normal features; no reconstruction (the engine
 * returns the input as the reconstruction). Images only. Owns the bank and closes it.
 */
public final class KnnMapper implements AnomalyMapper {
  private final FeatureBank bank;

  /** @param bank the normal-feature bank (owned from here on) */
  public KnnMapper(FeatureBank bank) {
    this.bank = Objects.requireNonNull(bank, "bank");
  }

  @Override
  public boolean needsReconstruction() {
    return false;
  }

  @Override
  public List<float[]> maps(MapBatch batch) {
    if (batch.tiles().length == 0) {
      return List.of();
    }
    TilePlan plan = batch.inputs().get(0).plan();
    return batch.stitchPerTile(bank.distances(batch.tiles(), batch.channels(), plan.tileHeight(),
        plan.tileWidth()));
  }

  /** The bank. */
  public FeatureBank bank() {
    return bank;
  }

  @Override
  public void close() {
    bank.close();
  }

  @Override
  public String toString() {
    return "knn (" + bank.size() + " vectors of " + bank.dims() + ")";
  }
}
