package ai.diffad.evaluation.metrics;

/** Labels the connected regions of a binary mask. */
public final class ConnectedComponents {
  private ConnectedComponents() {}

  /**
   * Labelled regions.
   *
   * @param labels per pixel: 0 background, 1..count region id (in raster order of first pixel)
   * @param count number of regions
   */
  public record Labels(int[] labels, int count) {}

  /** Labels the true pixels of a row-major {@code height x width} mask. */
  public static Labels label(boolean[] mask, int height, int width, Connectivity connectivity) {
    if (mask.length != height * width) {
      throw new IllegalArgumentException(
          "mask holds " + mask.length + " values, expected " + height + "x" + width);
    }
    int[] labels = new int[mask.length];
    int[] stack = new int[mask.length];
    int count = 0;
    boolean eight = connectivity == Connectivity.EIGHT;
    for (int start = 0; start < mask.length; start++) {
      if (!mask[start] || labels[start] != 0) {
        continue;
      }
      int id = ++count;
      int top = 0;
      stack[top++] = start;
      labels[start] = id;
      while (top > 0) {
        int p = stack[--top];
        int y = p / width;
        int x = p % width;
        for (int dy = -1; dy <= 1; dy++) {
          int yy = y + dy;
          if (yy < 0 || yy >= height) {
            continue;
          }
          for (int dx = -1; dx <= 1; dx++) {
            if ((dx == 0 && dy == 0) || (!eight && dx != 0 && dy != 0)) {
              continue;
            }
            int xx = x + dx;
            if (xx < 0 || xx >= width) {
              continue;
            }
            int q = yy * width + xx;
            if (mask[q] && labels[q] == 0) {
              labels[q] = id;
              stack[top++] = q;
            }
          }
        }
      }
    }
    return new Labels(labels, count);
  }
}
