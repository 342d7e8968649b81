package ai.diffad.denoise.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A seeded synthetic inspection set: {@link SyntheticTextures} stripe textures, some with a pasted
 * defect whose pixels are known (its mask and bounding box), so detection can be scored without
 * data on disk (the demo, tests). A defect is 6-8 px across: a bright or a dark disk of radius
 * 3-4 px, or a 2-px scratch 7-8 px long at any angle, in the saturated value +-0.95, at least 3 px
 * from the border.
 */
public final class SyntheticInspection {
  private SyntheticInspection() {}

  /** Smallest image side a defect fits in (with its margin from the border). */
  public static final int MIN_SIZE = 24;

  /** Value of a bright defect (a dark one is its negative). */
  public static final float DEFECT_VALUE = 0.95f;

  /** Kinds of pasted defect. */
  public enum Defect {
    /** A bright disk. */
    BRIGHT_SPOT,
    /** A dark disk. */
    DARK_SPOT,
    /** A bright or dark line 2 px wide. */
    SCRATCH;

    /** Lower-case spelling with '-' ({@code bright-spot}). */
    public String spelling() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Parses {@link #spelling}. */
    public static Defect parse(String text) {
      return valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    }
  }

  /**
   * The bounding box of a defect's mask, in pixels.
   *
   * @param x first column
   * @param y first row
   * @param width columns
   * @param height rows
   */
  public record Box(int x, int y, int width, int height) {
    /** Whether the pixel (column {@code px}, row {@code py}) lies inside the box. */
    public boolean contains(int px, int py) {
      return px >= x && px < x + width && py >= y && py < y + height;
    }
  }

  /**
   * One image of the set.
   *
   * @param index position in its set
   * @param size side of the square image
   * @param pixels gray values in [-1, 1], row-major, size * size
   * @param defect the pasted defect's kind, or null for a normal image
   * @param mask the defect's pixels (size * size), or null for a normal image
   * @param box the mask's bounding box, or null for a normal image
   */
  public record Sample(int index, int size, float[] pixels, Defect defect, boolean[] mask, Box box) {
    /** Whether a defect was pasted. */
    public boolean defective() {
      return defect != null;
    }

    /** Pixels of the defect (0 for a normal image). */
    public int defectPixels() {
      int n = 0;
      if (mask != null) {
        for (boolean m : mask) {
          n += m ? 1 : 0;
        }
      }
      return n;
    }
  }

  /** A normal image: one texture drawn from {@code rng}. */
  public static Sample normal(int index, int size, SplittableRandom rng) {
    checkSize(size);
    return new Sample(index, size, SyntheticTextures.texture(size, rng), null, null, null);
  }

  /** A texture drawn from {@code rng} with a defect pasted in (drawn from the same generator). */
  public static Sample defective(int index, int size, SplittableRandom rng) {
    checkSize(size);
    float[] img = SyntheticTextures.texture(size, rng);
    Defect kind = Defect.values()[rng.nextInt(3)];
    boolean[] mask = kind == Defect.SCRATCH ? scratch(size, rng) : disk(size, rng);
    float value = kind == Defect.BRIGHT_SPOT ? DEFECT_VALUE
        : kind == Defect.DARK_SPOT ? -DEFECT_VALUE
        : rng.nextBoolean() ? DEFECT_VALUE : -DEFECT_VALUE;
    for (int i = 0; i < mask.length; i++) {
      if (mask[i]) {
        img[i] = value;
      }
    }
    return new Sample(index, size, img, kind, mask, boundingBox(mask, size));
  }

  /**
   * An inspection set of {@code count} images of side {@code size}, of which
   * {@code round(count * defectShare)} (at least one when the share is above 0 and count above 0)
   * carry a defect, at positions of the set drawn from the seed. The same arguments give the same
   * set.
   */
  public static List<Sample> inspectionSet(int count, int size, double defectShare, long seed) {
    checkSize(size);
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0, got " + count);
    }
    if (!(defectShare >= 0 && defectShare <= 1)) {
      throw new IllegalArgumentException("defectShare must be in [0, 1], got " + defectShare);
    }
    int defects = (int) Math.round(count * defectShare);
    if (defects == 0 && defectShare > 0 && count > 0) {
      defects = 1;
    }
    SplittableRandom rng = new SplittableRandom(seed);
    // Which images get a defect: a seeded partial Fisher-Yates shuffle of the positions.
    int[] order = new int[count];
    for (int i = 0; i < count; i++) {
      order[i] = i;
    }
    for (int i = 0; i < defects; i++) {
      int j = i + rng.nextInt(count - i);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    boolean[] withDefect = new boolean[count];
    for (int i = 0; i < defects; i++) {
      withDefect[order[i]] = true;
    }
    List<Sample> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      SplittableRandom r = rng.split();
      out.add(withDefect[i] ? defective(i, size, r) : normal(i, size, r));
    }
    return out;
  }

  /** {@code count} normal images (held-out textures, for calibration). */
  public static List<Sample> normals(int count, int size, long seed) {
    return inspectionSet(count, size, 0.0, seed);
  }

  /** The bounding box of the set pixels of a mask, or null if none is set. */
  public static Box boundingBox(boolean[] mask, int size) {
    int x0 = size;
    int y0 = size;
    int x1 = -1;
    int y1 = -1;
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        if (mask[y * size + x]) {
          x0 = Math.min(x0, x);
          y0 = Math.min(y0, y);
          x1 = Math.max(x1, x);
          y1 = Math.max(y1, y);
        }
      }
    }
    return x1 < 0 ? null : new Box(x0, y0, x1 - x0 + 1, y1 - y0 + 1);
  }

  /** A disk of radius 3-4 px whose centre is at least 7 px from the border. */
  private static boolean[] disk(int size, SplittableRandom rng) {
    boolean[] mask = new boolean[size * size];
    double r = 3 + rng.nextDouble();
    int cy = 7 + rng.nextInt(size - 14);
    int cx = 7 + rng.nextInt(size - 14);
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        if ((y - cy) * (y - cy) + (x - cx) * (x - cx) <= r * r) {
          mask[y * size + x] = true;
        }
      }
    }
    return mask;
  }

  /** A scratch 7-8 px long and 2 px wide at a random angle, centred at least 8 px from the border. */
  private static boolean[] scratch(int size, SplittableRandom rng) {
    boolean[] mask = new boolean[size * size];
    double angle = rng.nextDouble() * Math.PI;
    double len = 7 + rng.nextInt(2);
    double cy = 8 + rng.nextInt(size - 16);
    double cx = 8 + rng.nextInt(size - 16);
    for (double s = -len / 2; s <= len / 2; s += 0.25) {
      for (double o = -0.5; o <= 0.5; o += 0.5) {
        int y = (int) Math.round(cy + s * Math.sin(angle) + o * Math.cos(angle));
        int x = (int) Math.round(cx + s * Math.cos(angle) - o * Math.sin(angle));
        mask[y * size + x] = true;
      }
    }
    return mask;
  }

  private static void checkSize(int size) {
    if (size < MIN_SIZE || size > 4096) {
      throw new IllegalArgumentException("size must be in [" + MIN_SIZE + ", 4096], got " + size);
    }
  }
}
