package ai.diffad.denoise.io;

import java.util.Arrays;
import java.util.List;

/** Lays equally sized planar images out as one picture, row by row, with a border between them. */
public final class Grid {
  private Grid() {}

  /**
   * @param images planar (C, H, W) images in [-1, 1], all the same size
   * @param columns images per row
   * @param border pixels between images (filled with -1, black)
   * @return the planar grid, of size (C, rows*(H+border)+border, columns*(W+border)+border)
   */
  public static Images.Planar tile(List<float[]> images, int channels, int height, int width,
      int columns, int border) {
    if (images.isEmpty() || columns < 1) {
      throw new IllegalArgumentException("need at least one image and one column");
    }
    int rows = (images.size() + columns - 1) / columns;
    int gh = rows * (height + border) + border;
    int gw = columns * (width + border) + border;
    float[] g = new float[channels * gh * gw];
    Arrays.fill(g, -1f);
    for (int n = 0; n < images.size(); n++) {
      float[] img = images.get(n);
      if (img.length != channels * height * width) {
        throw new IllegalArgumentException("image " + n + " is not " + channels + "x" + height + "x" + width);
      }
      int top = border + (n / columns) * (height + border);
      int left = border + (n % columns) * (width + border);
      for (int c = 0; c < channels; c++) {
        for (int y = 0; y < height; y++) {
          System.arraycopy(img, (c * height + y) * width, g, (c * gh + top + y) * gw + left, width);
        }
      }
    }
    return new Images.Planar(g, channels, gh, gw, 8);
  }
}
