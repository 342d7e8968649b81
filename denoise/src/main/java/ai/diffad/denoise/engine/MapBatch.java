package ai.diffad.denoise.engine;

import ai.diffad.config.EngineConfig;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What a mapper sees of a batch of inputs: per input its prepared (resized and padded) array and
 * tile plan, and for the whole batch the tiles in input order with their noise keys and, when the
 * mapper asked for them, their reconstructions.
 *
 * @param inputs the prepared inputs
 * @param tiles every tile of every input, input after input, each (C, tile...)
 * @param reconstructions the reconstruction of each tile, or null when not asked for
 * @param keys the noise key of each tile ({@link Reconstructor#tileKey})
 * @param channels C
 */
public final class MapBatch {
  private final List<Prepared> inputs;
  private final float[][] tiles;
  private final float[][] reconstructions;
  private final long[] keys;
  private final int channels;
  private final float[][] stitched;

  /**
   * One input between preparation and post-processing.
   *
   * @param work the prepared input, (C, H, W) or (C, L)
   * @param height H (1 for a series)
   * @param width W (L for a series)
   * @param plan how it is tiled
   * @param firstTile index of its first tile in the batch
   */
  public record Prepared(float[] work, int height, int width, TilePlan plan, int firstTile) {
    /** Checks the fields. */
    public Prepared {
      Objects.requireNonNull(work, "work");
      Objects.requireNonNull(plan, "plan");
    }
  }

  /** Requires the arrays to agree. */
  public MapBatch(List<Prepared> inputs, float[][] tiles, float[][] reconstructions, long[] keys,
      int channels) {
    this.inputs = List.copyOf(inputs);
    this.tiles = tiles;
    this.reconstructions = reconstructions;
    this.keys = keys;
    this.channels = channels;
    this.stitched = new float[inputs.size()][];
    if (keys.length != tiles.length
        || (reconstructions != null && reconstructions.length != tiles.length)) {
      throw new IllegalArgumentException(tiles.length + " tiles, " + keys.length + " keys, "
          + (reconstructions == null ? "no" : String.valueOf(reconstructions.length))
          + " reconstructions");
    }
  }

  /**
   * A batch of single-tile inputs (each tile is a whole input of {@code h x w}), for tests and
   * callers that hold tiles rather than images.
   */
  static MapBatch ofTiles(float[][] tiles, float[][] reconstructions, int c, int h, int w) {
    return ofTiles(tiles, reconstructions, new long[tiles.length], c, h, w);
  }

  /** As {@link #ofTiles(float[][], float[][], int, int, int)}, with the tiles' noise keys. */
  static MapBatch ofTiles(float[][] tiles, float[][] reconstructions, long[] keys, int c, int h,
      int w) {
    TilePlan plan = Tiler.of(Math.max(h, w), 0.0, 1).plan(h, w);
    List<Prepared> inputs = new java.util.ArrayList<>();
    for (int i = 0; i < tiles.length; i++) {
      inputs.add(new Prepared(tiles[i], h, w, plan, i));
    }
    return new MapBatch(inputs, tiles, reconstructions, keys, c);
  }

  /** The prepared inputs. */
  public List<Prepared> inputs() {
    return inputs;
  }

  /** Every tile, input after input. */
  public float[][] tiles() {
    return tiles;
  }

  /** The reconstruction of each tile, or null when the mapper did not ask for them. */
  public float[][] reconstructions() {
    return reconstructions;
  }

  /** The noise key of each tile. */
  public long[] keys() {
    return keys;
  }

  /** Channels of the inputs. */
  public int channels() {
    return channels;
  }

  /** The tiles of input {@code i}, in plan order. */
  public float[][] tilesOf(int i, float[][] perTile) {
    Prepared p = inputs.get(i);
    float[][] mine = new float[p.plan().count()][];
    System.arraycopy(perTile, p.firstTile(), mine, 0, mine.length);
    return mine;
  }

  /**
   * The reconstruction of input {@code i}, stitched from its tiles ((C, H, W)); stitched once and
   * kept, so mapper and engine share it. Without reconstructions, the input itself.
   */
  public float[] reconstructionOf(int i) {
    if (stitched[i] == null) {
      stitched[i] = reconstructions == null ? inputs.get(i).work()
          : inputs.get(i).plan().stitch(tilesOf(i, reconstructions), channels);
    }
    return stitched[i];
  }

  /** Height of every tile of the batch (all tiles share the engine's tile size). */
  public int tileHeight() {
    return inputs.get(0).plan().tileHeight();
  }

  /** Width of every tile of the batch. */
  public int tileWidth() {
    return inputs.get(0).plan().tileWidth();
  }

  /** The maps of {@code count} consecutive tiles from {@code start}: count x H x W values. */
  @FunctionalInterface
  public interface TileGroup {
    float[] maps(int start, int count);
  }

  /**
   * One map per input from a network that maps tiles a group at a time: groups of
   * {@link EngineConfig#batchFor} tiles in order, each group's (count, H, W) result split per
   * tile, then stitched per input. Empty when the batch has no tiles.
   */
  public List<float[]> mapInGroups(EngineConfig config, TileGroup group) {
    if (tiles.length == 0) {
      return List.of();
    }
    int hw = tileHeight() * tileWidth();
    int size = config.batchFor((long) hw);
    float[][] maps = new float[tiles.length][];
    for (int start = 0; start < tiles.length; start += size) {
      int b = Math.min(size, tiles.length - start);
      float[] m = group.maps(start, b);
      for (int i = 0; i < b; i++) {
        maps[start + i] = Arrays.copyOfRange(m, i * hw, (i + 1) * hw);
      }
    }
    return stitchPerTile(maps);
  }

  /** One map per input, stitched from one single-channel map per tile. */
  public List<float[]> stitchPerTile(float[][] tileMaps) {
    float[][] out = new float[inputs.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = inputs.get(i).plan().stitch(tilesOf(i, tileMaps), 1);
    }
    return List.of(out);
  }
}
