package ai.diffad.model.synth;

import ai.diffad.config.DetectorConfig;
import ai.diffad.model.train.TrainingSet;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Makes a synthetic anomaly on a clean crop (DRAEM, DiffusionAD; DESIGN.md "The detector"): a
 * mask, an anomaly source, and the blend {@code x_a = x + beta * M * (A - x)} (beta the opacity,
 * M the binary mask, A the source image). Everything is drawn from the {@link SplittableRandom}
 * the caller passes, so a sample depends on (clean crop, random stream) alone.
 *
 * <p>Sources ({@link DetectorConfig#sources()}):
 *
 * <ul>
 *   <li>{@code perlin}: a Perlin mask (lattice 2^a x 2^b, a and b drawn from the configured
 *       scales, rotated by a random angle, thresholded) filled with a second Perlin field;
 *   <li>{@code shuffle}: the same kind of mask filled with the crop's own 8x8 grid of patches in
 *       random order (each patch also rotated by a random multiple of 90 degrees);
 *   <li>{@code strokes}: one to three thin curved strokes (cracks) or small elliptic blobs
 *       (holes), darker or brighter than the texture by a random amount; the stroke is the mask;
 *   <li>{@code texture}: a Perlin mask filled with a random crop of a foreign texture, its contrast
 *       and brightness jittered.
 * </ul>
 *
 * <p>Crops are (C, S, S) in [-1, 1]; the mask is (S, S) of 0 and 1. Not thread-safe: one per
 * thread (it keeps scratch arrays).
 */
public final class AnomalySynthesizer {
  /** An anomaly source. */
  public enum Source {
    PERLIN, SHUFFLE, STROKES, TEXTURE;

    static Source parse(String s) {
      return valueOf(s.toUpperCase(java.util.Locale.ROOT));
    }
  }

  /**
   * What one call made.
   *
   * @param source the source, or null when the crop was left clean
   * @param beta the opacity used (0 when clean)
   * @param maskPixels pixels of the mask
   */
  public record Sample(Source source, double beta, int maskPixels) {
    /** Whether the crop was left clean. */
    public boolean clean() {
      return source == null;
    }
  }

  /** Attempts at a non-empty Perlin mask before the crop is left clean. */
  static final int MASK_ATTEMPTS = 4;

  private final DetectorConfig config;
  private final int channels;
  private final int size;
  private final TrainingSet textures;
  private final Source[] sources;
  private final float[] source;
  private final float[] mask;

  /**
   * @param config sources, shares, ranges
   * @param channels C of the crops
   * @param size S of the crops
   * @param textures the foreign textures (items in [-1, 1], C channels, each at least S x S), or
   *     null when {@code texture} is not a source
   */
  public AnomalySynthesizer(DetectorConfig config, int channels, int size, TrainingSet textures) {
    this.config = Objects.requireNonNull(config, "config");
    this.channels = channels;
    this.size = size;
    this.textures = textures;
    List<String> names = config.sources();
    this.sources = names.stream().map(Source::parse).toArray(Source[]::new);
    if (names.contains("texture")) {
      if (textures == null || textures.size() == 0) {
        throw new IllegalArgumentException("the texture source needs a non-empty texture folder");
      }
      if (textures.channels() != channels) {
        throw new IllegalArgumentException("textures have " + textures.channels()
            + " channels, the crops " + channels);
      }
      for (int i = 0; i < textures.size(); i++) {
        if (textures.height(i) < size || textures.width(i) < size) {
          throw new IllegalArgumentException("texture " + i + " of " + textures.description()
              + " is " + textures.height(i) + "x" + textures.width(i) + ", smaller than the "
              + size + "x" + size + " crops");
        }
      }
    }
    this.source = new float[channels * size * size];
    this.mask = new float[size * size];
  }

  /**
   * Synthesises an anomaly on one clean crop.
   *
   * @param clean the crop, (C, S, S) at {@code cleanOff}
   * @param rng the random stream
   * @param anomalous receives x_a, (C, S, S) at {@code outOff}
   * @param outMask receives the mask, (S, S) at {@code maskOff}
   */
  public Sample synthesize(float[] clean, int cleanOff, SplittableRandom rng, float[] anomalous,
      int outOff, float[] outMask, int maskOff) {
    int d = channels * size * size;
    int s2 = size * size;
    if (rng.nextDouble() < config.cleanShare()) {
      System.arraycopy(clean, cleanOff, anomalous, outOff, d);
      java.util.Arrays.fill(outMask, maskOff, maskOff + s2, 0f);
      return new Sample(null, 0, 0);
    }
    Source src = sources[rng.nextInt(sources.length)];
    double lo = config.beta().get(0);
    double hi = config.beta().get(1);
    double beta = hi > lo ? rng.nextDouble(lo, hi) : lo;
    int pixels;
    if (src == Source.STROKES) {
      pixels = strokeMask(rng, mask);
      double delta = rng.nextDouble(0.4, 1.2) * (rng.nextBoolean() ? 1 : -1);
      for (int k = 0; k < d; k++) {
        source[k] = clamp(clean[cleanOff + k] + (float) delta);
      }
    } else {
      pixels = 0;
      for (int a = 0; a < MASK_ATTEMPTS && pixels == 0; a++) {
        pixels = perlinMask(size, config.perlinScales().get(0), config.perlinScales().get(1),
            config.perlinThreshold(), rng, mask);
      }
      if (pixels == 0) {
        System.arraycopy(clean, cleanOff, anomalous, outOff, d);
        java.util.Arrays.fill(outMask, maskOff, maskOff + s2, 0f);
        return new Sample(null, 0, 0);
      }
      switch (src) {
        case PERLIN -> perlinSource(rng);
        case SHUFFLE -> shuffleSource(clean, cleanOff, rng);
        case TEXTURE -> textureSource(rng);
        default -> throw new IllegalStateException(src.name());
      }
    }
    blend(clean, cleanOff, source, mask, beta, channels, s2, anomalous, outOff);
    System.arraycopy(mask, 0, outMask, maskOff, s2);
    return new Sample(src, beta, pixels);
  }

  /**
   * {@code out = x + beta * M * (A - x)} per channel, M (S*S) shared by the channels; with M in
   * {0, 1} the pixels outside the mask are copied exactly.
   */
  public static void blend(float[] x, int xOff, float[] a, float[] m, double beta, int channels,
      int pixels, float[] out, int outOff) {
    float b = (float) beta;
    for (int c = 0; c < channels; c++) {
      int base = c * pixels;
      for (int p = 0; p < pixels; p++) {
        float xv = x[xOff + base + p];
        out[outOff + base + p] = m[p] == 0f ? xv : xv + b * m[p] * (a[base + p] - xv);
      }
    }
  }

  /**
   * A thresholded, rotated Perlin mask: lattice 2^a x 2^b cells with a, b uniform in [lo, hi],
   * angle uniform in [0, 2 pi), 1 where the field exceeds {@code threshold}.
   *
   * @return the number of mask pixels
   */
  public static int perlinMask(int size, int lo, int hi, double threshold, SplittableRandom rng,
      float[] out) {
    float[] field = perlinField(size, lo, hi, rng);
    int n = 0;
    for (int p = 0; p < field.length; p++) {
      boolean on = field[p] > threshold;
      out[p] = on ? 1f : 0f;
      n += on ? 1 : 0;
    }
    return n;
  }

  /** A rotated Perlin field at random scales (see {@link #perlinMask}). */
  static float[] perlinField(int size, int lo, int hi, SplittableRandom rng) {
    int ry = 1 << rng.nextInt(lo, hi + 1);
    int rx = 1 << rng.nextInt(lo, hi + 1);
    Perlin p = new Perlin(size, Math.min(ry, size), Math.min(rx, size), rng);
    return p.render(size, rng.nextDouble(2 * Math.PI));
  }

  private void perlinSource(SplittableRandom rng) {
    float[] f = perlinField(size, config.perlinScales().get(0), config.perlinScales().get(1), rng);
    float amp = (float) rng.nextDouble(0.5, 1.5);
    float off = (float) rng.nextDouble(-0.5, 0.5);
    int s2 = size * size;
    for (int c = 0; c < channels; c++) {
      for (int p = 0; p < s2; p++) {
        source[c * s2 + p] = clamp(f[p] * amp + off);
      }
    }
  }

  /** The crop's 8x8 grid of patches permuted, each rotated by k * 90 degrees. */
  private void shuffleSource(float[] clean, int off, SplittableRandom rng) {
    int grid = 8;
    int ps = size / grid;
    int s2 = size * size;
    // Pixels beyond the grid (size not a multiple of 8) keep their own values.
    for (int k = 0; k < channels * s2; k++) {
      source[k] = clean[off + k];
    }
    if (ps == 0) {
      return;
    }
    int cells = grid * grid;
    int[] perm = new int[cells];
    for (int i = 0; i < cells; i++) {
      perm[i] = i;
    }
    for (int i = cells - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    for (int cell = 0; cell < cells; cell++) {
      int from = perm[cell];
      int rot = rng.nextInt(4);
      int dy0 = (cell / grid) * ps;
      int dx0 = (cell % grid) * ps;
      int sy0 = (from / grid) * ps;
      int sx0 = (from % grid) * ps;
      for (int y = 0; y < ps; y++) {
        for (int x = 0; x < ps; x++) {
          int u = y;
          int v = x;
          for (int r = 0; r < rot; r++) {
            int t = u;
            u = v;
            v = ps - 1 - t;
          }
          for (int c = 0; c < channels; c++) {
            source[c * s2 + (dy0 + y) * size + dx0 + x] =
                clean[off + c * s2 + (sy0 + u) * size + sx0 + v];
          }
        }
      }
    }
  }

  private void textureSource(SplittableRandom rng) {
    int i = rng.nextInt(textures.size());
    float[] item = textures.item(i);
    int h = textures.height(i);
    int w = textures.width(i);
    int oy = rng.nextInt(h - size + 1);
    int ox = rng.nextInt(w - size + 1);
    boolean flipV = rng.nextBoolean();
    boolean flipH = rng.nextBoolean();
    float contrast = (float) rng.nextDouble(0.5, 1.5);
    float bright = (float) rng.nextDouble(-0.3, 0.3);
    boolean invert = rng.nextDouble() < 0.25;
    int s2 = size * size;
    for (int c = 0; c < channels; c++) {
      for (int y = 0; y < size; y++) {
        int sy = oy + (flipV ? size - 1 - y : y);
        for (int x = 0; x < size; x++) {
          int sx = ox + (flipH ? size - 1 - x : x);
          float v = item[(c * h + sy) * w + sx];
          v = invert ? -v : v;
          source[c * s2 + y * size + x] = clamp(v * contrast + bright);
        }
      }
    }
  }

  /**
   * One to three strokes (a random walk of 2-5 segments stamped with disks of radius 0.6-2 px)
   * or blobs (ellipses with radii 1.5-6 px); at least one pixel.
   */
  int strokeMask(SplittableRandom rng, float[] out) {
    java.util.Arrays.fill(out, 0f);
    int shapes = rng.nextInt(1, 4);
    for (int k = 0; k < shapes; k++) {
      if (rng.nextDouble() < 0.6) {
        double y = rng.nextDouble(size);
        double x = rng.nextDouble(size);
        double angle = rng.nextDouble(2 * Math.PI);
        double r = rng.nextDouble(0.6, 2.0);
        int segments = rng.nextInt(2, 6);
        for (int s = 0; s < segments; s++) {
          double len = rng.nextDouble(4, Math.max(5, size / 3.0));
          angle += rng.nextDouble(-0.6, 0.6);
          double dy = Math.sin(angle);
          double dx = Math.cos(angle);
          for (double l = 0; l <= len; l += 0.5) {
            disk(out, y + dy * l, x + dx * l, r, r, 0);
          }
          y += dy * len;
          x += dx * len;
        }
      } else {
        disk(out, rng.nextDouble(size), rng.nextDouble(size), rng.nextDouble(1.5, 6),
            rng.nextDouble(1.5, 6), rng.nextDouble(Math.PI));
      }
    }
    int n = 0;
    for (float v : out) {
      n += v > 0 ? 1 : 0;
    }
    if (n == 0) {
      // Every shape left the crop: mark the pixel nearest the centre.
      out[(size / 2) * size + size / 2] = 1f;
      n = 1;
    }
    return n;
  }

  /** Sets the pixels of an ellipse (radii ry, rx, rotated by theta) centred at (cy, cx). */
  private void disk(float[] out, double cy, double cx, double ry, double rx, double theta) {
    double r = Math.max(ry, rx);
    int y0 = Math.max(0, (int) Math.floor(cy - r));
    int y1 = Math.min(size - 1, (int) Math.ceil(cy + r));
    int x0 = Math.max(0, (int) Math.floor(cx - r));
    int x1 = Math.min(size - 1, (int) Math.ceil(cx + r));
    double c = Math.cos(theta);
    double s = Math.sin(theta);
    for (int y = y0; y <= y1; y++) {
      for (int x = x0; x <= x1; x++) {
        double dy = y - cy;
        double dx = x - cx;
        double u = c * dy - s * dx;
        double v = s * dy + c * dx;
        if ((u * u) / (ry * ry) + (v * v) / (rx * rx) <= 1.0) {
          out[y * size + x] = 1f;
        }
      }
    }
  }

  private static float clamp(float v) {
    return v < -1f ? -1f : (v > 1f ? 1f : v);
  }
}
