package ai.diffad.denoise.engine;

import java.util.Arrays;

/**
 * The tiles of one input (from {@link Tiler}): where they lie, how to cut them out and how to
 * stitch per-tile outputs back. Immutable.
 *
 * <p>Padding: inputs smaller than a tile are extended at the bottom/right by reflection without
 * repeating the edge pixel (OpenCV's {@code BORDER_REFLECT_101}), applied as often as needed.
 *
 * <p>Stitching: each tile's output is weighted by a separable raised-cosine (Hann) window with a
 * floor, {@code w(i) = f + (1 - f) sin^2(pi (i + 0.5) / n)}: a network's output is least reliable
 * at tile edges (zero padding in its convolutions), so edges count little where a neighbour covers
 * the same pixel, yet never zero, so the input's own borders (covered by one tile only) are still
 * defined. Sums run in double precision, so stitching identical tiles returns the input exactly.
 */
public final class TilePlan {
  /** Smallest blending weight, relative to a tile centre; keeps image borders defined. */
  static final double WINDOW_FLOOR = 0.02;

  private final int height;
  private final int width;
  private final int tileHeight;
  private final int tileWidth;
  private final int[] ys;
  private final int[] xs;
  private final boolean series;
  private final double[] wy;
  private final double[] wx;

  TilePlan(int height, int width, int tileHeight, int tileWidth, int[] ys, int[] xs,
      boolean series) {
    this.height = height;
    this.width = width;
    this.tileHeight = tileHeight;
    this.tileWidth = tileWidth;
    this.ys = ys;
    this.xs = xs;
    this.series = series;
    this.wy = window(tileHeight);
    this.wx = window(tileWidth);
  }

  /** The blending window of a tile side n; all ones for n = 1 (the height of a series). */
  static double[] window(int n) {
    double[] w = new double[n];
    if (n == 1) {
      w[0] = 1.0;
      return w;
    }
    for (int i = 0; i < n; i++) {
      double s = Math.sin(Math.PI * (i + 0.5) / n);
      w[i] = WINDOW_FLOOR + (1.0 - WINDOW_FLOOR) * s * s;
    }
    return w;
  }

  /** Number of tiles. */
  public int count() {
    return ys.length * xs.length;
  }

  /** Input height (1 for a series). */
  public int height() {
    return height;
  }

  /** Input width (the length of a series). */
  public int width() {
    return width;
  }

  /** Tile height (1 for a series). */
  public int tileHeight() {
    return tileHeight;
  }

  /** Tile width (the window length of a series). */
  public int tileWidth() {
    return tileWidth;
  }

  /** Whether this plans 1-D windows (network input (N, C, L)) rather than image tiles. */
  public boolean isSeries() {
    return series;
  }

  /** The spatial shape of one tile as the network sees it: {H, W}, or {L} for a series. */
  public long[] tileSpatialShape() {
    return series ? new long[] {tileWidth} : new long[] {tileHeight, tileWidth};
  }

  /** Top row of tile {@code index} (tiles are numbered row by row). */
  public int tileY(int index) {
    return ys[index / xs.length];
  }

  /** Left column of tile {@code index}. */
  public int tileX(int index) {
    return xs[index % xs.length];
  }

  /** A copy of the distinct tile top rows. */
  public int[] rowStarts() {
    return ys.clone();
  }

  /** A copy of the distinct tile left columns. */
  public int[] columnStarts() {
    return xs.clone();
  }

  /**
   * Cuts out one tile, reflect-padding where it reaches past the input.
   *
   * @param planar the input, (C, H, W) row-major
   * @param channels C
   * @param index tile number in [0, count)
   * @return a new array (C, tileHeight, tileWidth)
   */
  public float[] extract(float[] planar, int channels, int index) {
    checkInput(planar, channels);
    int y0 = tileY(index);
    int x0 = tileX(index);
    float[] out = new float[channels * tileHeight * tileWidth];
    int[] colSrc = new int[tileWidth];
    for (int x = 0; x < tileWidth; x++) {
      colSrc[x] = reflect(x0 + x, width);
    }
    int o = 0;
    for (int c = 0; c < channels; c++) {
      int plane = c * height * width;
      for (int y = 0; y < tileHeight; y++) {
        int row = plane + reflect(y0 + y, height) * width;
        for (int x = 0; x < tileWidth; x++) {
          out[o++] = planar[row + colSrc[x]];
        }
      }
    }
    return out;
  }

  /** Height of the padded input the tiles cover: max(H, tileHeight). */
  public int paddedHeight() {
    return Math.max(height, tileHeight);
  }

  /** Width of the padded input the tiles cover: max(W, tileWidth). */
  public int paddedWidth() {
    return Math.max(width, tileWidth);
  }

  /**
   * Cuts tile {@code index} out of an array that already has the padded size, without reflection;
   * for fields such as noise that must not repeat themselves in the padding.
   *
   * @param padded (C, paddedHeight, paddedWidth)
   * @param channels C
   * @param index tile number
   * @return a new array (C, tileHeight, tileWidth)
   */
  public float[] extractPadded(float[] padded, int channels, int index) {
    int ph = paddedHeight();
    int pw = paddedWidth();
    if (padded.length != channels * ph * pw) {
      throw new IllegalArgumentException("padded array has " + padded.length
          + " values, expected " + channels + "x" + ph + "x" + pw);
    }
    int y0 = tileY(index);
    int x0 = tileX(index);
    float[] out = new float[channels * tileHeight * tileWidth];
    int o = 0;
    for (int c = 0; c < channels; c++) {
      for (int y = 0; y < tileHeight; y++) {
        System.arraycopy(padded, (c * ph + y0 + y) * pw + x0, out, o, tileWidth);
        o += tileWidth;
      }
    }
    return out;
  }

  /** Every tile, in order; see {@link #extract}. */
  public float[][] extractAll(float[] planar, int channels) {
    float[][] tiles = new float[count()][];
    for (int i = 0; i < tiles.length; i++) {
      tiles[i] = extract(planar, channels, i);
    }
    return tiles;
  }

  /**
   * Blends per-tile outputs into one array of the input's size; padding is dropped.
   *
   * @param tiles one (C, tileHeight, tileWidth) array per tile, in tile order
   * @param channels C
   * @return (C, H, W)
   */
  public float[] stitch(float[][] tiles, int channels) {
    if (tiles.length != count()) {
      throw new IllegalArgumentException("expected " + count() + " tiles, got " + tiles.length);
    }
    int hw = height * width;
    double[] sum = new double[channels * hw];
    double[] weight = new double[hw];
    int tileSize = tileHeight * tileWidth;
    for (int i = 0; i < tiles.length; i++) {
      float[] t = tiles[i];
      if (t.length != channels * tileSize) {
        throw new IllegalArgumentException("tile " + i + " has " + t.length + " values, expected "
            + channels * tileSize);
      }
      int y0 = tileY(i);
      int x0 = tileX(i);
      int rows = Math.min(tileHeight, height - y0);
      int cols = Math.min(tileWidth, width - x0);
      for (int y = 0; y < rows; y++) {
        for (int x = 0; x < cols; x++) {
          double w = wy[y] * wx[x];
          int p = (y0 + y) * width + x0 + x;
          weight[p] += w;
          for (int c = 0; c < channels; c++) {
            sum[c * hw + p] += w * t[c * tileSize + y * tileWidth + x];
          }
        }
      }
    }
    float[] out = new float[sum.length];
    for (int c = 0; c < channels; c++) {
      for (int p = 0; p < hw; p++) {
        out[c * hw + p] = (float) (sum[c * hw + p] / weight[p]);
      }
    }
    return out;
  }

  /** Reflect-101 index into [0, n), for any i >= 0 (repeated reflection for large pads). */
  static int reflect(int i, int n) {
    if (n == 1) {
      return 0;
    }
    int period = 2 * (n - 1);
    int m = Math.floorMod(i, period);
    return m < n ? m : period - m;
  }

  private void checkInput(float[] planar, int channels) {
    if (channels < 1 || planar.length != channels * height * width) {
      throw new IllegalArgumentException("input has " + planar.length + " values, expected "
          + channels + "x" + height + "x" + width);
    }
  }

  @Override
  public String toString() {
    return "TilePlan[" + height + "x" + width + ", tiles " + tileHeight + "x" + tileWidth
        + " at rows " + Arrays.toString(ys) + " cols " + Arrays.toString(xs) + "]";
  }
}
