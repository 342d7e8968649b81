package ai.diffad.model.noise;

import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/**
 * Multi-octave ("fractal") simplex noise as used by AnoDDPM (Wyatt et al. 2022, sec. 3.2),
 * standardised to zero mean and unit variance per sample so it can replace Gaussian noise in the
 * forward and reverse processes. Low-frequency noise hides large anomalies that i.i.d. Gaussian
 * noise at the same variance would leave recognisable.
 *
 * <p>Scale follows the AnoDDPM code ({@code rand_2d_octaves}): octave k samples 2-D simplex noise
 * at {@code pixel / (frequency / 2^k)} with amplitude {@code persistence^k}; so {@code frequency}
 * is the feature size of the first octave in pixels, and every further octave halves it.
 *
 * <p>Layout: for rank >= 4 the last two axes are the plane (H, W) and every other index is its own
 * plane; for (N, C, L), (N, L) and (L) each series is a 1-D line through the 2-D noise field.
 * Every plane or line gets its own random offset in the field, so channels and samples are
 * independent. The first axis is the sample axis for standardisation (rank 1: the whole array).
 *
 * <p>The 2-D simplex kernel is a port of Stefan Gustavson's public-domain reference
 * implementation ("Simplex noise demystified", 2005/2012), with a seeded permutation table.
 */
public final class SimplexNoise implements NoiseGenerator {
  private static final double F2 = 0.5 * (Math.sqrt(3.0) - 1.0);
  private static final double G2 = (3.0 - Math.sqrt(3.0)) / 6.0;
  /** Gustavson's 12 gradient directions (edges of a cube), x and y components. */
  private static final double[][] GRAD = {
    {1, 1}, {-1, 1}, {1, -1}, {-1, -1}, {1, 0}, {-1, 0}, {1, 0}, {-1, 0}, {0, 1}, {0, -1}, {0, 1},
    {0, -1}
  };
  /** Random offsets are drawn from [0, OFFSET_RANGE) lattice units. */
  private static final double OFFSET_RANGE = 4096.0;

  private final int octaves;
  private final double persistence;
  private final double frequency;

  /**
   * @param octaves number of octaves, >= 1
   * @param persistence amplitude factor between successive octaves, in (0, 1]
   * @param frequency first-octave feature size in pixels (AnoDDPM's {@code frequency}), > 0
   */
  public SimplexNoise(int octaves, double persistence, double frequency) {
    if (octaves < 1) {
      throw new IllegalArgumentException("octaves must be >= 1, got " + octaves);
    }
    if (!(persistence > 0 && persistence <= 1)) {
      throw new IllegalArgumentException("persistence must be in (0, 1], got " + persistence);
    }
    if (!(frequency > 0) || !Double.isFinite(frequency)) {
      throw new IllegalArgumentException("frequency must be > 0, got " + frequency);
    }
    this.octaves = octaves;
    this.persistence = persistence;
    this.frequency = frequency;
  }

  @Override
  public float[] generate(Shape shape, long seed) {
    int size = NoiseGenerator.checkedSize(shape);
    int rank = shape.dimension();
    if (rank == 0) {
      throw new IllegalArgumentException("noise needs at least one axis, got " + shape);
    }
    int rows = rank >= 4 ? (int) shape.get(rank - 2) : 1;
    int cols = (int) shape.get(rank - 1);
    int planeSize = rows * cols;
    float[] out = new float[size];
    SplittableRandom random = new SplittableRandom(seed);
    short[] perm = permutation(random);
    double[] plane = new double[planeSize];
    for (int p = 0; p < size / Math.max(planeSize, 1); p++) {
      double ox = random.nextDouble() * OFFSET_RANGE;
      double oy = random.nextDouble() * OFFSET_RANGE;
      java.util.Arrays.fill(plane, 0.0);
      double scale = frequency;
      double amplitude = 1.0;
      for (int k = 0; k < octaves; k++) {
        for (int r = 0; r < rows; r++) {
          for (int c = 0; c < cols; c++) {
            plane[r * cols + c] += amplitude * noise2(perm, ox + c / scale, oy + r / scale);
          }
        }
        scale /= 2.0;
        amplitude *= persistence;
      }
      for (int i = 0; i < planeSize; i++) {
        out[p * planeSize + i] = (float) plane[i];
      }
    }
    standardisePerSample(out, rank == 1 ? 1 : (int) shape.get(0));
    return out;
  }

  /** Rescales each of {@code samples} equal chunks to zero mean and unit variance. */
  private static void standardisePerSample(float[] values, int samples) {
    if (samples == 0) {
      return;
    }
    int chunk = values.length / samples;
    for (int s = 0; s < samples; s++) {
      int from = s * chunk;
      double sum = 0;
      double sumSq = 0;
      for (int i = from; i < from + chunk; i++) {
        sum += values[i];
      }
      double mean = sum / chunk;
      for (int i = from; i < from + chunk; i++) {
        double d = values[i] - mean;
        sumSq += d * d;
      }
      double std = Math.sqrt(sumSq / chunk);
      // A constant sample (one element) has no variance to rescale: it becomes 0, the mean.
      double inv = std > 0 ? 1.0 / std : 0.0;
      for (int i = from; i < from + chunk; i++) {
        values[i] = (float) ((values[i] - mean) * inv);
      }
    }
  }

  /** A seeded shuffle of 0..255, doubled to 512 entries to avoid index wrapping. */
  private static short[] permutation(SplittableRandom random) {
    short[] p = new short[256];
    for (short i = 0; i < 256; i++) {
      p[i] = i;
    }
    for (int i = 255; i > 0; i--) {
      int j = random.nextInt(i + 1);
      short tmp = p[i];
      p[i] = p[j];
      p[j] = tmp;
    }
    short[] perm = new short[512];
    for (int i = 0; i < 512; i++) {
      perm[i] = p[i & 255];
    }
    return perm;
  }

  /** Gustavson's 2-D simplex noise, in about [-1, 1]. */
  static double noise2(short[] perm, double xin, double yin) {
    // Skew the input space to find the simplex cell.
    double s = (xin + yin) * F2;
    int i = (int) Math.floor(xin + s);
    int j = (int) Math.floor(yin + s);
    double t = (i + j) * G2;
    double x0 = xin - (i - t);
    double y0 = yin - (j - t);
    // Which of the two triangles of the cell are we in?
    int i1 = x0 > y0 ? 1 : 0;
    int j1 = 1 - i1;
    double x1 = x0 - i1 + G2;
    double y1 = y0 - j1 + G2;
    double x2 = x0 - 1.0 + 2.0 * G2;
    double y2 = y0 - 1.0 + 2.0 * G2;
    int ii = i & 255;
    int jj = j & 255;
    int gi0 = perm[ii + perm[jj]] % 12;
    int gi1 = perm[ii + i1 + perm[jj + j1]] % 12;
    int gi2 = perm[ii + 1 + perm[jj + 1]] % 12;
    // Contributions of the three corners, radial falloff (0.5 - r^2)^4.
    double n = corner(gi0, x0, y0) + corner(gi1, x1, y1) + corner(gi2, x2, y2);
    return 70.0 * n;
  }

  private static double corner(int gi, double x, double y) {
    double t = 0.5 - x * x - y * y;
    if (t < 0) {
      return 0.0;
    }
    t *= t;
    return t * t * (GRAD[gi][0] * x + GRAD[gi][1] * y);
  }

  @Override
  public String toString() {
    return "SimplexNoise[octaves=" + octaves + ", persistence=" + persistence
        + ", frequency=" + frequency + "]";
  }
}
