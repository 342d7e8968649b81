package ai.diffad.model.synth;

import java.util.SplittableRandom;

/**
 * Two-dimensional gradient (Perlin) noise on a periodic lattice, as DRAEM's {@code
 * rand_perlin_2d}: a random unit gradient per lattice point, the quintic fade 6t^5 - 15t^4 +
 * 10t^3, values scaled by sqrt(2) to about [-1, 1]. The lattice wraps (its gradients are indexed
 * modulo the lattice size), so the field is periodic over the square it was made for and can be
 * evaluated at any real coordinate, which makes a rotated field exact: no resampling, no empty
 * corners.
 */
public final class Perlin {
  private final int resY;
  private final int resX;
  private final double scaleY;
  private final double scaleX;
  private final double[] gy;
  private final double[] gx;

  /**
   * A field over a {@code size x size} square with {@code resY x resX} lattice cells.
   *
   * @param size side of the square the field is periodic over (pixels)
   * @param resY lattice cells along y (the scale 2^k of DRAEM), >= 1
   * @param resX lattice cells along x, >= 1
   * @param rng source of the gradients
   */
  public Perlin(int size, int resY, int resX, SplittableRandom rng) {
    if (size < 1 || resY < 1 || resX < 1) {
      throw new IllegalArgumentException("size " + size + ", res " + resY + "x" + resX);
    }
    this.resY = resY;
    this.resX = resX;
    this.scaleY = (double) resY / size;
    this.scaleX = (double) resX / size;
    this.gy = new double[resY * resX];
    this.gx = new double[resY * resX];
    for (int i = 0; i < gy.length; i++) {
      double a = 2 * Math.PI * rng.nextDouble();
      gy[i] = Math.cos(a);
      gx[i] = Math.sin(a);
    }
  }

  /** The field at pixel coordinates (y, x), any real values. */
  public double at(double y, double x) {
    double u = y * scaleY;
    double v = x * scaleX;
    double fu = Math.floor(u);
    double fv = Math.floor(v);
    double ty = u - fu;
    double tx = v - fv;
    int y0 = (int) Math.floorMod((long) fu, resY);
    int x0 = (int) Math.floorMod((long) fv, resX);
    int y1 = (y0 + 1) % resY;
    int x1 = (x0 + 1) % resX;
    double n00 = dot(y0, x0, ty, tx);
    double n10 = dot(y1, x0, ty - 1, tx);
    double n01 = dot(y0, x1, ty, tx - 1);
    double n11 = dot(y1, x1, ty - 1, tx - 1);
    double fy = fade(ty);
    double fx = fade(tx);
    double a = n00 + fy * (n10 - n00);
    double b = n01 + fy * (n11 - n01);
    return Math.sqrt(2) * (a + fx * (b - a));
  }

  /**
   * The field over the square, rotated by {@code angle} radians about its centre, row-major
   * {@code size x size}.
   */
  public float[] render(int size, double angle) {
    float[] out = new float[size * size];
    double c = Math.cos(angle);
    double s = Math.sin(angle);
    double mid = (size - 1) / 2.0;
    for (int y = 0; y < size; y++) {
      double dy = y - mid;
      for (int x = 0; x < size; x++) {
        double dx = x - mid;
        out[y * size + x] = (float) at(mid + c * dy - s * dx, mid + s * dy + c * dx);
      }
    }
    return out;
  }

  private double dot(int iy, int ix, double dy, double dx) {
    int k = iy * resX + ix;
    return gy[k] * dy + gx[k] * dx;
  }

  private static double fade(double t) {
    return t * t * t * (t * (t * 6 - 15) + 10);
  }
}
