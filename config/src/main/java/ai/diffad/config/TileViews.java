package ai.diffad.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Test-time views of each tile (test-time augmentation): the map is computed on every view of a
 * tile and the maps, turned back, are averaged; a map that learns from normal data (a k-NN bank)
 * learns from the same views. Each view is a quarter-turn count and a horizontal mirror applied
 * after it; rotations need square tiles.
 */
public enum TileViews implements Check.Named {
  /** The tile only. */
  NONE(new int[][] {{0, 0}}),
  /** The tile and its mirror. */
  HFLIP(new int[][] {{0, 0}, {0, 1}}),
  /** The tile, its horizontal and vertical mirrors and the half turn. */
  FLIPS(new int[][] {{0, 0}, {0, 1}, {2, 0}, {2, 1}}),
  /** The four quarter turns. */
  ROTATIONS(new int[][] {{0, 0}, {1, 0}, {2, 0}, {3, 0}}),
  /** All eight symmetries of the square. */
  D4(new int[][] {{0, 0}, {1, 0}, {2, 0}, {3, 0}, {0, 1}, {1, 1}, {2, 1}, {3, 1}});

  private final int[][] views;

  TileViews(int[][] views) {
    this.views = views;
  }

  /** Each view as {quarter turns counter-clockwise, mirrored (1) or not (0)}; the first is the tile. */
  public int[][] views() {
    int[][] copy = new int[views.length][];
    for (int i = 0; i < views.length; i++) {
      copy[i] = views[i].clone();
    }
    return copy;
  }

  /** How many views. */
  public int count() {
    return views.length;
  }

  /** Whether a view turns the tile by a quarter (needs square tiles). */
  public boolean turnsQuarter() {
    for (int[] v : views) {
      if (v[0] % 2 == 1) {
        return true;
      }
    }
    return false;
  }

  /** Parses the file spelling, case-insensitively. */
  @JsonCreator
  public static TileViews parse(String text) {
    return Check.named("", TileViews.class, text);
  }

  @JsonValue
  @Override
  public String spelling() {
    return Check.Named.super.spelling();
  }
}
