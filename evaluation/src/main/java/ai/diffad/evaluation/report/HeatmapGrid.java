package ai.diffad.evaluation.report;

import ai.diffad.denoise.io.DecodedImage;
import ai.diffad.denoise.io.ImageEncoder;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;

/**
 * A PNG grid of heatmap overlays with captions, for the three grids of the report: highest-scored
 * anomalies, lowest-scored anomalies and highest-scored normals. Each cell is the input with its
 * anomaly map blended over it in the TURBO colour map (blue cold, red hot; {@link
 * ImageEncoder#encodeOverlay}), the ground-truth mask outlined in white when there is one, fitted
 * into a square of {@code cellSize} pixels (aspect kept), and a caption: the name and the score.
 *
 * <p>The callers pick the entries with {@link #top} / {@link #bottom} on their own result records
 * first, then load images only for the picks. All cells of a grid share one colour range (by
 * default [0, largest map value in the grid]); pass the same range to the three grids ({@link
 * Options#withRange}, e.g. [0, {@link #maxMapValue} over all picks]) so that a normal image that is
 * not hot does not look hot after normalisation.
 *
 * <p>Layout: {@code width = GAP + columns * (cellSize + GAP)}, {@code height = GAP + rows *
 * (cellSize + CAPTION_HEIGHT + GAP)}; a cell's image square starts at {@code (GAP + col * (cellSize
 * + GAP), GAP + row * (cellSize + CAPTION_HEIGHT + GAP))}.
 */
public final class HeatmapGrid {
  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  /** Default side of a cell's image square in pixels. */
  public static final int DEFAULT_CELL_SIZE = 160;

  /** Default number of columns (fewer when there are fewer entries). */
  public static final int DEFAULT_COLUMNS = 4;

  /** Space between cells and around the grid, in pixels. */
  public static final int GAP = 6;

  /** Height of the caption band under each cell, in pixels. */
  public static final int CAPTION_HEIGHT = 32;

  private static final Color BACKGROUND = Color.WHITE;
  private static final Color LETTERBOX = new Color(235, 235, 235);
  private static final Color TEXT = new Color(30, 30, 30);
  private static final Color CONTOUR = Color.WHITE;

  private HeatmapGrid() {}

  /**
   * One cell.
   *
   * @param name caption text (e.g. {@code crack/003.png})
   * @param score the image score, shown under the name
   * @param image planar (C, H, W) input in [0, 1], C = 1 (gray) or 3 (RGB)
   * @param channels 1 or 3
   * @param height rows of the image, map and mask
   * @param width columns of the image, map and mask
   * @param map anomaly map, row-major H * W, no NaN
   * @param mask ground truth H * W (true = defect), or null for none / a normal image
   */
  public record Entry(String name, double score, float[] image, int channels, int height,
      int width, float[] map, boolean[] mask) {
    /** Validates the sizes. */
    public Entry {
      Objects.requireNonNull(name, "name");
      if (channels != 1 && channels != 3) {
        throw new IllegalArgumentException(name + ": channels must be 1 or 3, got " + channels);
      }
      if (height <= 0 || width <= 0) {
        throw new IllegalArgumentException(name + ": size must be > 0, got " + height + "x"
            + width);
      }
      int hw = height * width;
      if (image.length != channels * hw || map.length != hw
          || (mask != null && mask.length != hw)) {
        throw new IllegalArgumentException(name + ": image (" + image.length + "), map ("
            + map.length + ") and mask (" + (mask == null ? "none" : mask.length)
            + ") do not fit " + channels + "x" + height + "x" + width);
      }
    }

    /**
     * An entry from an image as the engine decodes it (values in [-1, 1]) and its map at the
     * image's size.
     *
     * @param mask ground truth or null
     */
    public static Entry of(String name, double score, DecodedImage image, float[] map,
        boolean[] mask) {
      float[] d = image.data();
      float[] unit = new float[d.length];
      for (int i = 0; i < d.length; i++) {
        unit[i] = (d[i] + 1f) * 0.5f;
      }
      return new Entry(name, score, unit, image.channels(), image.height(), image.width(), map,
          mask);
    }
  }

  /**
   * How a grid is drawn.
   *
   * @param columns cells per row (at most the number of entries are used), >= 1
   * @param cellSize side of each cell's image square in pixels, >= 16
   * @param lo map value drawn coldest; NaN with {@code hi} NaN = automatic
   * @param hi map value drawn hottest, > lo; NaN = automatic [0, max of the grid's maps]
   * @param opacity share of the colour map in the blend, in [0, 1]
   */
  public record Options(int columns, int cellSize, double lo, double hi, double opacity) {
    /** Validates the values. */
    public Options {
      if (columns < 1) {
        throw new IllegalArgumentException("columns must be >= 1, got " + columns);
      }
      if (cellSize < 16) {
        throw new IllegalArgumentException("cellSize must be >= 16, got " + cellSize);
      }
      if (Double.isNaN(lo) != Double.isNaN(hi) || (!Double.isNaN(lo) && !(hi > lo))) {
        throw new IllegalArgumentException(
            "need both lo and hi NaN (automatic) or hi > lo, got lo=" + lo + " hi=" + hi);
      }
      if (!(opacity >= 0 && opacity <= 1)) {
        throw new IllegalArgumentException("opacity must be in [0, 1], got " + opacity);
      }
    }

    /** 4 columns, 160 px cells, automatic range, opacity 0.5. */
    public static Options defaults() {
      return new Options(DEFAULT_COLUMNS, DEFAULT_CELL_SIZE, Double.NaN, Double.NaN,
          ImageEncoder.DEFAULT_OVERLAY_OPACITY);
    }

    /** These options with another number of columns. */
    public Options withColumns(int c) {
      return new Options(c, cellSize, lo, hi, opacity);
    }

    /** These options with another cell size. */
    public Options withCellSize(int s) {
      return new Options(columns, s, lo, hi, opacity);
    }

    /** These options with a fixed colour range. */
    public Options withRange(double lo, double hi) {
      return new Options(columns, cellSize, lo, hi, opacity);
    }

    /** These options with another overlay opacity. */
    public Options withOpacity(double o) {
      return new Options(columns, cellSize, lo, hi, o);
    }
  }

  // ---------------------------------------------------------------- picking

  /**
   * The {@code k} items with the highest scores, highest first; ties keep list order.
   *
   * @throws IllegalArgumentException if a score is NaN
   */
  public static <T> List<T> top(List<T> items, ToDoubleFunction<? super T> score, int k) {
    return pick(items, score, k, true);
  }

  /** The {@code k} items with the lowest scores, lowest first; ties keep list order. */
  public static <T> List<T> bottom(List<T> items, ToDoubleFunction<? super T> score, int k) {
    return pick(items, score, k, false);
  }

  private static <T> List<T> pick(List<T> items, ToDoubleFunction<? super T> score, int k,
      boolean highest) {
    if (k < 0) {
      throw new IllegalArgumentException("k must be >= 0, got " + k);
    }
    List<T> sorted = new ArrayList<>(items);
    for (T t : sorted) {
      if (Double.isNaN(score.applyAsDouble(t))) {
        throw new IllegalArgumentException("cannot rank a NaN score: " + t);
      }
    }
    Comparator<T> c = Comparator.comparingDouble(score);
    sorted.sort(highest ? c.reversed() : c); // List.sort is stable
    return List.copyOf(sorted.subList(0, Math.min(k, sorted.size())));
  }

  /** The largest map value over the given entries (0 if all maps are <= 0). */
  public static double maxMapValue(Collection<Entry> entries) {
    double hi = 0;
    for (Entry e : entries) {
      for (float v : e.map()) {
        if (v > hi) {
          hi = v;
        }
      }
    }
    return hi;
  }

  // ---------------------------------------------------------------- layout

  /** Pixel width of a grid with {@code columns} columns. */
  public static int gridWidth(int columns, int cellSize) {
    return GAP + columns * (cellSize + GAP);
  }

  /** Pixel height of a grid with {@code rows} rows. */
  public static int gridHeight(int rows, int cellSize) {
    return GAP + rows * (cellSize + CAPTION_HEIGHT + GAP);
  }

  // ---------------------------------------------------------------- drawing

  /** Writes the grid as a PNG with {@link Options#defaults()}, atomically. */
  public static void write(Path file, List<Entry> entries) throws IOException {
    write(file, entries, Options.defaults());
  }

  /** Writes the grid as a PNG, atomically. */
  public static void write(Path file, List<Entry> entries, Options options) throws IOException {
    BufferedImage grid = render(entries, options);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (!ImageIO.write(grid, "png", out)) {
      throw new IOException("no PNG writer available");
    }
    ImageEncoder.writeAtomically(file, out.toByteArray());
  }

  /**
   * Draws the grid.
   *
   * @throws IllegalArgumentException if there are no entries
   */
  public static BufferedImage render(List<Entry> entries, Options options) {
    if (entries.isEmpty()) {
      throw new IllegalArgumentException("a heatmap grid needs at least one entry");
    }
    int cols = Math.min(options.columns(), entries.size());
    int rows = (entries.size() + cols - 1) / cols;
    int cell = options.cellSize();
    double lo = options.lo();
    double hi = options.hi();
    if (Double.isNaN(lo)) {
      lo = 0;
      hi = maxMapValue(entries);
      if (!(hi > lo)) {
        hi = 1;
      }
    }
    BufferedImage grid = new BufferedImage(gridWidth(cols, cell), gridHeight(rows, cell),
        BufferedImage.TYPE_INT_RGB);
    Graphics2D g = grid.createGraphics();
    try {
      g.setColor(BACKGROUND);
      g.fillRect(0, 0, grid.getWidth(), grid.getHeight());
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING,
          RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      Font nameFont = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
      for (int i = 0; i < entries.size(); i++) {
        Entry e = entries.get(i);
        int x0 = GAP + (i % cols) * (cell + GAP);
        int y0 = GAP + (i / cols) * (cell + CAPTION_HEIGHT + GAP);
        g.setColor(LETTERBOX);
        g.fillRect(x0, y0, cell, cell);
        BufferedImage tile = cellImage(e, cell, lo, hi, options.opacity());
        g.drawImage(tile, x0 + (cell - tile.getWidth()) / 2, y0 + (cell - tile.getHeight()) / 2,
            null);
        g.setFont(nameFont);
        g.setColor(TEXT);
        FontMetrics fm = g.getFontMetrics();
        int line = fm.getAscent() + 2;
        g.drawString(fit(e.name(), fm, cell), x0, y0 + cell + line);
        g.drawString(fit(String.format(Locale.ROOT, "score %.4g", e.score()), fm, cell), x0,
            y0 + cell + 2 * line);
      }
    } finally {
      g.dispose();
    }
    return grid;
  }

  /** One cell's overlay, fitted into {@code cell x cell} with the mask contour. */
  static BufferedImage cellImage(Entry e, int cell, double lo, double hi, double opacity) {
    float[] engine = new float[e.image().length];
    for (int i = 0; i < engine.length; i++) {
      engine[i] = e.image()[i] * 2f - 1f;
    }
    byte[] png = ImageEncoder.encodeOverlay(e.map(), e.height(), e.width(), engine, e.channels(),
        lo, hi, opacity);
    BufferedImage overlay;
    try {
      overlay = ImageIO.read(new ByteArrayInputStream(png));
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    double s = Math.min((double) cell / e.width(), (double) cell / e.height());
    int w = Math.max(1, (int) Math.round(e.width() * s));
    int h = Math.max(1, (int) Math.round(e.height() * s));
    BufferedImage scaled = resize(overlay, w, h);
    if (e.mask() != null) {
      drawContour(scaled, e.mask(), e.height(), e.width());
    }
    return scaled;
  }

  /** Bilinear resize; large reductions go in halving steps so that no pixel is skipped. */
  static BufferedImage resize(BufferedImage src, int w, int h) {
    BufferedImage cur = toRgb(src);
    while (cur.getWidth() / 2 >= w && cur.getHeight() / 2 >= h) {
      cur = draw(cur, cur.getWidth() / 2, cur.getHeight() / 2);
    }
    return cur.getWidth() == w && cur.getHeight() == h ? cur : draw(cur, w, h);
  }

  private static BufferedImage toRgb(BufferedImage src) {
    if (src.getType() == BufferedImage.TYPE_INT_RGB) {
      return src;
    }
    BufferedImage out = new BufferedImage(src.getWidth(), src.getHeight(),
        BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.drawImage(src, 0, 0, null);
    g.dispose();
    return out;
  }

  private static BufferedImage draw(BufferedImage src, int w, int h) {
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION,
        RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(src, 0, 0, w, h, null);
    g.dispose();
    return out;
  }

  /**
   * Outlines the mask (nearest-neighbour scaled to the tile): a pixel is on the contour when its
   * 3x3 neighbourhood holds both defect and non-defect pixels, so the line straddles the edge.
   */
  private static void drawContour(BufferedImage tile, boolean[] mask, int mh, int mw) {
    int w = tile.getWidth();
    int h = tile.getHeight();
    boolean[] m = new boolean[w * h];
    for (int y = 0; y < h; y++) {
      int sy = Math.min(mh - 1, (int) ((y + 0.5) * mh / h));
      for (int x = 0; x < w; x++) {
        int sx = Math.min(mw - 1, (int) ((x + 0.5) * mw / w));
        m[y * w + x] = mask[sy * mw + sx];
      }
    }
    int rgb = CONTOUR.getRGB();
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        boolean in = false;
        boolean out = false;
        for (int dy = -1; dy <= 1; dy++) {
          for (int dx = -1; dx <= 1; dx++) {
            int yy = y + dy;
            int xx = x + dx;
            if (yy < 0 || yy >= h || xx < 0 || xx >= w) {
              continue;
            }
            if (m[yy * w + xx]) {
              in = true;
            } else {
              out = true;
            }
          }
        }
        if (in && out) {
          tile.setRGB(x, y, rgb);
        }
      }
    }
  }

  /** The text, cut with an ellipsis to fit {@code width} pixels. */
  private static String fit(String s, FontMetrics fm, int width) {
    if (fm.stringWidth(s) <= width) {
      return s;
    }
    String ell = "\u2026";
    int keep = s.length();
    while (keep > 0 && fm.stringWidth(ell + s.substring(s.length() - keep)) > width) {
      keep--;
    }
    // Keep the end: file names differ at the end (crack/003.png vs crack/004.png).
    return ell + s.substring(s.length() - keep);
  }
}
