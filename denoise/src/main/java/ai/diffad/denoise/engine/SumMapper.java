package ai.diffad.denoise.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * map = sum: the weighted sum of its parts' maps, each standardised by the mean and standard
 * deviation of its values on normal images, sum_i w_i (m_i - mean_i) / std_i. Owns its parts and
 * closes them.
 */
public final class SumMapper implements AnomalyMapper {
  private final List<AnomalyMapper> parts;
  private final double[] weights;
  private final double[] means;
  private final double[] stds;

  /**
   * @param parts the part mappers (owned from here on)
   * @param weights one per part
   * @param means each part's mean on normal images
   * @param stds each part's standard deviation on normal images (> 0)
   */
  public SumMapper(List<AnomalyMapper> parts, double[] weights, double[] means, double[] stds) {
    this.parts = List.copyOf(parts);
    this.weights = weights.clone();
    this.means = means.clone();
    this.stds = stds.clone();
    if (weights.length != this.parts.size() || means.length != this.parts.size()
        || stds.length != this.parts.size()) {
      throw new IllegalArgumentException(this.parts.size() + " parts, " + weights.length
          + " weights, " + means.length + " means, " + stds.length + " stds");
    }
    for (double s : stds) {
      if (!(s > 0)) {
        throw new IllegalArgumentException("a part's standard deviation on normal images must be"
            + " > 0, got " + s);
      }
    }
  }

  @Override
  public boolean needsReconstruction() {
    return parts.stream().anyMatch(AnomalyMapper::needsReconstruction);
  }

  @Override
  public List<float[]> maps(MapBatch batch) {
    List<float[]> out = null;
    for (int i = 0; i < parts.size(); i++) {
      List<float[]> m = parts.get(i).maps(batch);
      float w = (float) (weights[i] / stds[i]);
      float shift = (float) (weights[i] * means[i] / stds[i]);
      if (out == null) {
        out = new ArrayList<>(m.size());
        for (float[] a : m) {
          out.add(new float[a.length]);
        }
      }
      for (int k = 0; k < m.size(); k++) {
        float[] a = m.get(k);
        float[] o = out.get(k);
        for (int p = 0; p < a.length; p++) {
          o[p] += w * a[p] - shift;
        }
      }
    }
    return Objects.requireNonNull(out);
  }

  /** The part mappers. */
  public List<AnomalyMapper> parts() {
    return parts;
  }

  /** Each part's mean on normal images. */
  public double[] means() {
    return means.clone();
  }

  /** Each part's standard deviation on normal images. */
  public double[] stds() {
    return stds.clone();
  }

  @Override
  public void close() {
    for (AnomalyMapper p : parts) {
      p.close();
    }
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("sum of");
    for (int i = 0; i < parts.size(); i++) {
      sb.append(i == 0 ? " " : " + ").append(weights[i]).append(" x ").append(parts.get(i));
    }
    return sb.toString();
  }
}
