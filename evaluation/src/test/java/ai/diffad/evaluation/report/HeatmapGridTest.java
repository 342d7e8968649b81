package ai.diffad.evaluation.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.diffad.denoise.io.DecodedImage;
import ai.diffad.denoise.io.ImageFormat;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeatmapGridTest {
  @TempDir Path dir;

  record Scored(String name, double score) {}

  @Test
  void topAndBottomPickTheRightEntriesInRankOrderWithStableTies() {
    List<Scored> items = List.of(new Scored("a", 0.3), new Scored("b", 0.9),
        new Scored("c", 0.1), new Scored("d", 0.9), new Scored("e", 0.5), new Scored("f", 0.1));
    assertThat(HeatmapGrid.top(items, Scored::score, 3)).extracting(Scored::name)
        .containsExactly("b", "d", "e");
    assertThat(HeatmapGrid.bottom(items, Scored::score, 3)).extracting(Scored::name)
        .containsExactly("c", "f", "a");
    assertThat(HeatmapGrid.top(items, Scored::score, 10)).hasSize(6);
    assertThat(HeatmapGrid.top(items, Scored::score, 0)).isEmpty();
    assertThatThrownBy(() -> HeatmapGrid.top(List.of(new Scored("n", Double.NaN)),
        Scored::score, 1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void gridHasColumnsTimesRowsCellsOfTheRequestedSize() throws Exception {
    List<HeatmapGrid.Entry> entries = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      entries.add(flat("img" + i, 20, 30, i));
    }
    Path file = dir.resolve("grids/top.png");
    HeatmapGrid.write(file, entries, HeatmapGrid.Options.defaults().withColumns(3)
        .withCellSize(40));
    BufferedImage png = ImageIO.read(file.toFile());
    // 3 columns x 2 rows: 6 + 3 * (40 + 6) = 144 wide, 6 + 2 * (40 + 32 + 6) = 162 high.
    assertThat(png.getWidth()).isEqualTo(144).isEqualTo(HeatmapGrid.gridWidth(3, 40));
    assertThat(png.getHeight()).isEqualTo(162).isEqualTo(HeatmapGrid.gridHeight(2, 40));

    // Fewer entries than columns: the grid is only as wide as the entries.
    BufferedImage two = HeatmapGrid.render(entries.subList(0, 2), HeatmapGrid.Options.defaults());
    assertThat(two.getWidth()).isEqualTo(HeatmapGrid.gridWidth(2, HeatmapGrid.DEFAULT_CELL_SIZE));
    assertThat(two.getHeight())
        .isEqualTo(HeatmapGrid.gridHeight(1, HeatmapGrid.DEFAULT_CELL_SIZE));
    assertThatThrownBy(() -> HeatmapGrid.render(List.of(), HeatmapGrid.Options.defaults()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void hotMapPixelIsRedderThanAColdOneAtTheSamePlaceInTheCell() {
    int h = 16;
    int w = 16;
    float[] gray = new float[h * w];
    Arrays.fill(gray, 0.5f);
    float[] map = new float[h * w];
    map[3 * w + 5] = 1f; // hot pixel at row 3, column 5
    HeatmapGrid.Entry e = new HeatmapGrid.Entry("hot", 1.0, gray, 1, h, w, map, null);
    BufferedImage grid = HeatmapGrid.render(List.of(e),
        HeatmapGrid.Options.defaults().withCellSize(160).withRange(0, 1));
    int g = HeatmapGrid.GAP;
    // Scale 10: source pixel (3, 5) covers rows 30..39 and columns 50..59 of the cell.
    Color hot = new Color(grid.getRGB(g + 55, g + 35));
    Color cold = new Color(grid.getRGB(g + 125, g + 125));
    assertThat(hot.getRed()).isGreaterThan(cold.getRed() + 20);
    assertThat(hot.getBlue()).isLessThan(cold.getBlue() - 15);
    assertThat(hot.getRed()).isGreaterThan(hot.getBlue() + 40);
    assertThat(cold.getBlue()).isGreaterThan(cold.getRed());
  }

  @Test
  void maskIsOutlinedInWhiteAndItsInsideIsNot() {
    int h = 20;
    int w = 20;
    float[] gray = new float[h * w];
    float[] map = new float[h * w];
    boolean[] mask = new boolean[h * w];
    for (int y = 5; y < 15; y++) {
      for (int x = 5; x < 15; x++) {
        mask[y * w + x] = true;
      }
    }
    HeatmapGrid.Entry e = new HeatmapGrid.Entry("m", 0.2, gray, 1, h, w, map, mask);
    BufferedImage grid = HeatmapGrid.render(List.of(e),
        HeatmapGrid.Options.defaults().withCellSize(100).withRange(0, 1));
    int g = HeatmapGrid.GAP;
    // Scale 5: the mask edge at source column 5 is cell column 25; row 50 is mid-mask.
    assertThat(grid.getRGB(g + 25, g + 50)).isEqualTo(Color.WHITE.getRGB());
    assertThat(grid.getRGB(g + 24, g + 50)).isEqualTo(Color.WHITE.getRGB());
    assertThat(grid.getRGB(g + 50, g + 50)).isNotEqualTo(Color.WHITE.getRGB());
    assertThat(grid.getRGB(g + 10, g + 50)).isNotEqualTo(Color.WHITE.getRGB());
  }

  @Test
  void nonSquareImagesKeepTheirAspectAndCaptionsAreDrawn() {
    HeatmapGrid.Entry wide = flat("a_rather_long_defect_name/000.png", 10, 40, 0.5);
    BufferedImage grid = HeatmapGrid.render(List.of(wide),
        HeatmapGrid.Options.defaults().withCellSize(80));
    int g = HeatmapGrid.GAP;
    // 40x10 scaled by 2 is 80x20, centred vertically: rows 30..49 are image, row 5 letterbox.
    assertThat(grid.getRGB(g + 40, g + 5)).isEqualTo(new Color(235, 235, 235).getRGB());
    assertThat(grid.getRGB(g + 40, g + 40)).isNotEqualTo(new Color(235, 235, 235).getRGB());
    int dark = 0;
    for (int y = g + 80; y < g + 80 + HeatmapGrid.CAPTION_HEIGHT; y++) {
      for (int x = g; x < g + 80; x++) {
        if (new Color(grid.getRGB(x, y)).getRed() < 128) {
          dark++;
        }
      }
    }
    assertThat(dark).as("caption text pixels").isGreaterThan(20);
  }

  @Test
  void entryFromADecodedImageMapsEngineRangeToUnitRange() {
    DecodedImage img = new DecodedImage(new float[] {-1f, 0f, 1f, 0.5f}, null, 1, 2, 2, 8, 1,
        ImageFormat.PNG);
    HeatmapGrid.Entry e = HeatmapGrid.Entry.of("x", 0.1, img, new float[4], null);
    assertThat(e.image()).containsExactly(0f, 0.5f, 1f, 0.75f);
    assertThatThrownBy(() -> new HeatmapGrid.Entry("bad", 0, new float[4], 1, 2, 2,
        new float[3], null)).isInstanceOf(IllegalArgumentException.class);
  }

  private static HeatmapGrid.Entry flat(String name, int h, int w, double score) {
    float[] img = new float[3 * h * w];
    Arrays.fill(img, 0.4f);
    float[] map = new float[h * w];
    for (int i = 0; i < map.length; i++) {
      map[i] = (float) i / map.length;
    }
    return new HeatmapGrid.Entry(name, score, img, 3, h, w, map, null);
  }
}
