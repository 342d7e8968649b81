package ai.diffad.denoise.engine;

import ai.diffad.config.TileViews;
import java.util.List;
import java.util.Objects;

/**
 * Test-time views around any mapper (tiling.views): every tile is turned and mirrored into each
 * view, the inner mapper maps the views (each view tile as its own input, so per-tile maps come
 * back), every map is turned back into the tile's frame, and the maps are averaged before the tiles
 * are stitched. Reconstructions, when the inner mapper reads them, are viewed with their tiles.
 * Owns the inner mapper.
 */
public final class TileViewMapper implements AnomalyMapper {
  private final AnomalyMapper inner;
  private final TileViews views;

  /** Wraps {@code inner} unless {@code views} is none. */
  public static AnomalyMapper wrap(AnomalyMapper inner, TileViews views) {
    return views == TileViews.NONE ? inner : new TileViewMapper(inner, views);
  }

  private TileViewMapper(AnomalyMapper inner, TileViews views) {
    this.inner = Objects.requireNonNull(inner, "inner");
    this.views = views;
  }

  @Override
  public boolean needsReconstruction() {
    return inner.needsReconstruction();
  }

  @Override
  public List<float[]> maps(MapBatch batch) {
    float[][] tiles = batch.tiles();
    if (tiles.length == 0) {
      return List.of();
    }
    int c = batch.channels();
    int h = batch.tileHeight();
    int w = batch.tileWidth();
    requireSquare(views, h, w);
    float[][] reconstructions = batch.reconstructions();
    float[][] sum = new float[tiles.length][h * w];
    for (int[] view : views.views()) {
      int turns = view[0];
      boolean mirror = view[1] == 1;
      int vh = turns % 2 == 0 ? h : w;
      int vw = turns % 2 == 0 ? w : h;
      float[][] vt = viewAll(tiles, c, h, w, view);
      float[][] vr = reconstructions == null ? null : viewAll(reconstructions, c, h, w, view);
      List<float[]> maps = inner.maps(MapBatch.ofTiles(vt, vr, batch.keys(), c, vh, vw));
      for (int i = 0; i < tiles.length; i++) {
        float[] back = unview(maps.get(i), vh, vw, turns, mirror);
        float[] s = sum[i];
        for (int p = 0; p < s.length; p++) {
          s[p] += back[p];
        }
      }
    }
    float inv = 1f / views.count();
    for (float[] s : sum) {
      for (int p = 0; p < s.length; p++) {
        s[p] *= inv;
      }
    }
    return batch.stitchPerTile(sum);
  }

  /** Refuses quarter turns of non-square tiles, naming the field. */
  static void requireSquare(TileViews views, int h, int w) {
    if (h != w && views.turnsQuarter()) {
      throw new ai.diffad.config.ConfigException("tiling.views", views.spelling() + " turns tiles"
          + " by a quarter, which needs square tiles; these are " + h + "x" + w + ": set"
          + " tiling.tileSize or use hflip or flips");
    }
  }

  /** Every (C, H, W) tile in one view ({quarter turns, mirrored}, as {@link TileViews#views()}). */
  static float[][] viewAll(float[][] tiles, int c, int h, int w, int[] view) {
    float[][] out = new float[tiles.length][];
    for (int i = 0; i < tiles.length; i++) {
      out[i] = view(tiles[i], c, h, w, view[0], view[1] == 1);
    }
    return out;
  }

  /**
   * A (C, H, W) array turned {@code turns} quarter turns counter-clockwise, then mirrored left to
   * right when {@code mirror}: (C, H, W) for even turns, (C, W, H) for odd.
   */
  static float[] view(float[] a, int c, int h, int w, int turns, boolean mirror) {
    int t = Math.floorMod(turns, 4);
    int oh = t % 2 == 0 ? h : w;
    int ow = t % 2 == 0 ? w : h;
    float[] out = new float[a.length];
    for (int ch = 0; ch < c; ch++) {
      int base = ch * h * w;
      for (int i = 0; i < oh; i++) {
        for (int j = 0; j < ow; j++) {
          int jj = mirror ? ow - 1 - j : j; // column in the turned (unmirrored) frame
          int r;
          int col;
          switch (t) {
            case 0 -> { r = i; col = jj; }
            case 1 -> { r = jj; col = w - 1 - i; }
            case 2 -> { r = h - 1 - i; col = w - 1 - jj; }
            default -> { r = h - 1 - jj; col = i; }
          }
          out[base + i * ow + j] = a[base + r * w + col];
        }
      }
    }
    return out;
  }

  /** The inverse of {@link #view} for a one-channel (vh, vw) map of a view. */
  static float[] unview(float[] map, int vh, int vw, int turns, boolean mirror) {
    float[] m = mirror ? view(map, 1, vh, vw, 0, true) : map;
    return view(m, 1, vh, vw, 4 - Math.floorMod(turns, 4), false);
  }

  @Override
  public void close() {
    inner.close();
  }

  @Override
  public String toString() {
    return inner + " over " + views.count() + " views (" + views.spelling() + ")";
  }
}
