package ai.diffad.denoise.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/**
 * PatchCore's coreset (Roth et al. 2022, "Towards total recall"): greedy k-center selection, each
 * step taking the candidate farthest from everything selected so far, so that the kept vectors
 * cover the normal feature space and a rare normal pattern is not dropped as a uniform sample
 * would drop it. Distances are measured on a Gaussian random projection to
 * {@value #PROJECTION} dimensions (Johnson-Lindenstrauss), as PatchCore does, to keep each step
 * cheap.
 */
final class Coreset {
  /** Dimensions of the random projection the distances are measured on. */
  static final int PROJECTION = 128;

  private Coreset() {}

  /**
   * Indices of {@code k} rows of {@code candidates} chosen greedily, the first at random.
   *
   * @param candidates (N, D)
   * @return k distinct row indices, in the order they were chosen
   */
  static long[] greedy(NDArray candidates, int k, long seed) {
    long n = candidates.getShape().get(0);
    long d = candidates.getShape().get(1);
    if (k >= n) {
      long[] all = new long[(int) n];
      for (int i = 0; i < n; i++) {
        all[i] = i;
      }
      return all;
    }
    SplittableRandom rng = new SplittableRandom(seed ^ 0x5DEECE66DL);
    long[] picked = new long[k];
    try (NDManager m = candidates.getManager().newSubManager()) {
      NDArray z = candidates;
      if (d > PROJECTION) {
        float[] r = new float[(int) (d * PROJECTION)];
        for (int i = 0; i < r.length; i++) {
          r[i] = (float) (gaussian(rng) / Math.sqrt(PROJECTION));
        }
        z = candidates.matMul(m.create(r, new Shape(d, PROJECTION)));
        z.attach(m);
      }
      NDArray min = null;
      long next = rng.nextLong(n);
      for (int i = 0; i < k; i++) {
        picked[i] = next;
        try (NDManager step = m.newSubManager()) {
          NDArray c = z.get(next + ":" + (next + 1));
          NDArray dist = z.sub(c).square().sum(new int[] {1});
          NDArray updated = min == null ? dist : min.minimum(dist);
          updated.attach(m);
          if (min != null) {
            min.close();
          }
          min = updated;
          next = min.argMax().getLong();
        }
      }
    }
    return picked;
  }

  private static double gaussian(SplittableRandom rng) {
    double u = rng.nextDouble();
    double v = rng.nextDouble();
    return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
  }
}
