package ai.diffad.denoise.engine;

/**
 * Plans overlapping square tiles (or 1-D windows) over inputs larger than the network's input, so
 * that maps and reconstructions come out at the input's full resolution. Immutable.
 *
 * <p>The tile side must be a multiple of the network's size multiple (2^(levels-1)). An input
 * smaller than a tile along an axis is reflect-padded up to the tile side, so every tile of every
 * input has the same shape and tiles of different inputs can share a network batch. Along each axis
 * the tiles are spread evenly from the first to the last pixel with at least the requested overlap;
 * see {@link TilePlan} for extraction and seam-free stitching.
 */
public final class Tiler {
  private final int tile;
  private final double overlap;

  private Tiler(int tile, double overlap) {
    this.tile = tile;
    this.overlap = overlap;
  }

  /**
   * A tiler of square tiles.
   *
   * @param tileSize tile side (or window length), > 0 and a multiple of {@code sizeMultiple}
   * @param overlap minimum overlap of neighbouring tiles as a fraction of the side, in [0, 0.9]
   * @param sizeMultiple the network's size multiple, >= 1
   * @return the tiler
   * @throws IllegalArgumentException naming the offending value
   */
  public static Tiler of(int tileSize, double overlap, int sizeMultiple) {
    if (sizeMultiple < 1) {
      throw new IllegalArgumentException("sizeMultiple must be >= 1, got " + sizeMultiple);
    }
    if (tileSize <= 0 || tileSize % sizeMultiple != 0) {
      throw new IllegalArgumentException(
          "engine.tileSize must be a positive multiple of the network's size multiple "
              + sizeMultiple + ", got " + tileSize);
    }
    if (!(overlap >= 0 && overlap <= 0.9)) {
      throw new IllegalArgumentException("engine.tileOverlap must be in [0, 0.9], got " + overlap);
    }
    return new Tiler(tileSize, overlap);
  }

  /** The tile side. */
  public int tileSize() {
    return tile;
  }

  /** The minimum overlap fraction. */
  public double overlap() {
    return overlap;
  }

  /**
   * Plans the tiles of an image.
   *
   * @param height image height, > 0
   * @param width image width, > 0
   * @return the plan; tiles are (C, tile, tile)
   */
  public TilePlan plan(int height, int width) {
    if (height <= 0 || width <= 0) {
      throw new IllegalArgumentException("image size must be positive, got " + height + "x" + width);
    }
    int ph = Math.max(height, tile);
    int pw = Math.max(width, tile);
    return new TilePlan(height, width, tile, tile, starts(ph), starts(pw), false);
  }

  /**
   * Plans the windows of a series.
   *
   * @param length series length, > 0
   * @return the plan; tiles are (C, tile) windows (height 1)
   */
  public TilePlan plan(int length) {
    if (length <= 0) {
      throw new IllegalArgumentException("series length must be positive, got " + length);
    }
    int pl = Math.max(length, tile);
    return new TilePlan(1, length, 1, tile, new int[] {0}, starts(pl), true);
  }

  /**
   * Tile starts along an axis of (padded) length {@code n >= tile}: the fewest tiles whose stride
   * does not exceed {@code tile * (1 - overlap)}, spread evenly so the last one ends at n.
   */
  int[] starts(int n) {
    if (n == tile) {
      return new int[] {0};
    }
    int maxStride = Math.max(1, (int) Math.floor(tile * (1.0 - overlap)));
    int count = (int) Math.ceil((n - tile) / (double) maxStride) + 1;
    int[] s = new int[count];
    for (int i = 0; i < count; i++) {
      s[i] = (int) Math.round(i * (n - tile) / (double) (count - 1));
    }
    return s;
  }

  @Override
  public String toString() {
    return "Tiler[tile=" + tile + ", overlap=" + overlap + "]";
  }
}
