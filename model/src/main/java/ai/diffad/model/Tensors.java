package ai.diffad.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Small allocation-aware helpers for the diffusion formulas, which are all linear combinations
 * of same-shaped arrays. Each returns one new array attached to the first array's manager and
 * closes its temporaries, so loops do not accumulate native memory.
 */
public final class Tensors {
  private Tensors() {}

  /**
   * {@code a * x + b * y}, one new array in {@code x}'s manager and dtype.
   *
   * @param a coefficient of x
   * @param x first array
   * @param b coefficient of y
   * @param y second array, same shape as x
   * @return the combination
   */
  public static NDArray lin(double a, NDArray x, double b, NDArray y) {
    NDArray out = x.mul(a);
    try (NDArray by = y.mul(b)) {
      out.addi(by);
    }
    return out;
  }

  /**
   * {@code a[n] * x[n] + b[n] * y[n]} with one coefficient pair per sample (first axis).
   *
   * @param a per-sample coefficients of x, length N
   * @param x first array, shape (N, ...)
   * @param b per-sample coefficients of y, length N
   * @param y second array, same shape as x
   * @return the combination, in {@code x}'s manager and dtype
   */
  public static NDArray linPerSample(double[] a, NDArray x, double[] b, NDArray y) {
    try (NDArray ca = perSample(x, a);
        NDArray cb = perSample(x, b);
        NDArray by = y.mul(cb)) {
      NDArray out = x.mul(ca);
      out.addi(by);
      return out;
    }
  }

  /**
   * Per-sample coefficients shaped (N, 1, ..., 1) to broadcast against {@code like}.
   *
   * @param like the array to broadcast against; gives manager, dtype and rank
   * @param values one value per sample along the first axis
   * @return a new array the caller closes
   */
  public static NDArray perSample(NDArray like, double[] values) {
    Shape shape = like.getShape();
    if (shape.dimension() == 0 || shape.get(0) != values.length) {
      throw new IllegalArgumentException(
          "need one timestep per sample: batch shape " + shape + ", got " + values.length);
    }
    long[] dims = new long[shape.dimension()];
    java.util.Arrays.fill(dims, 1L);
    dims[0] = values.length;
    try (NDArray c = like.getManager().create(values, new Shape(dims))) {
      return c.toType(like.getDataType(), true);
    }
  }
}
