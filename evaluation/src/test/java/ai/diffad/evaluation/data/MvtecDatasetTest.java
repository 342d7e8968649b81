package ai.diffad.evaluation.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.diffad.denoise.io.Images;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MvtecDatasetTest {
  @TempDir Path tmp;

  private static void png(Path file, float[] data, int h, int w) throws IOException {
    Images.writePng(file, data, 1, h, w, 8);
  }

  private Path fakeCategory() throws IOException {
    Path cat = tmp.resolve("tile");
    float[] gray = new float[16];
    png(cat.resolve("train/good/b.png"), gray, 4, 4);
    png(cat.resolve("train/good/a.png"), gray, 4, 4);
    Files.writeString(cat.resolve("train/good/notes.txt"), "not an image");
    png(cat.resolve("test/good/g1.png"), gray, 4, 4);
    png(cat.resolve("test/crack/c1.png"), gray, 4, 4);
    png(cat.resolve("test/crack/c2.png"), gray, 4, 4);
    // Mask of c1 at 2x2: top-left pixel defect (255 = +1), others 0 (= -1).
    png(cat.resolve("ground_truth/crack/c1_mask.png"), new float[] {1, -1, -1, -1}, 2, 2);
    return cat;
  }

  @Test
  void listsTrainAndTestWithLabelsDefectTypesAndMasks() throws IOException {
    Path cat = fakeCategory();
    MvtecDataset d = MvtecDataset.open(cat);
    assertThat(d.train()).extracting(p -> p.getFileName().toString())
        .containsExactly("a.png", "b.png");
    assertThat(d.defectTypes()).containsExactly("crack");
    List<MvtecDataset.TestItem> test = d.test();
    assertThat(test).extracting(t -> t.image().getFileName().toString())
        .containsExactly("c1.png", "c2.png", "g1.png");
    assertThat(test).extracting(MvtecDataset.TestItem::label)
        .containsExactly(MvtecDataset.DEFECT, MvtecDataset.DEFECT, MvtecDataset.GOOD);
    assertThat(test.get(0).mask()).isEqualTo(cat.resolve("ground_truth/crack/c1_mask.png"));
    assertThat(test.get(1).mask()).isNull();
    assertThat(test.get(2).mask()).isNull();
    assertThat(d.missingMasks()).containsExactly(cat.resolve("test/crack/c2.png"));
  }

  @Test
  void maskIsResizedNearestNeighbourToTheImageResolution() throws IOException {
    MvtecDataset d = MvtecDataset.open(fakeCategory());
    boolean[] m = d.test().get(0).loadMask(4, 4);
    // 2x2 -> 4x4: the top-left quadrant is defect.
    assertThat(m).containsExactly(
        true, true, false, false,
        true, true, false, false,
        false, false, false, false,
        false, false, false, false);
    assertThat(d.test().get(2).loadMask(4, 4)).containsOnly(false);
  }

  @Test
  void folderWithoutTrainGoodIsRefusedNamingIt() {
    assertThatThrownBy(() -> MvtecDataset.open(tmp))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("train/good/");
  }

  @Test
  void realMagneticTileMatchesItsManifest() throws IOException {
    Path root = RealData.dir("magnetic_tile").resolve("magnetic_tile");
    assumeTrue(Files.isDirectory(root), "../shared/data/magnetic_tile not present: skipped");
    MvtecDataset d = MvtecDataset.open(root);
    assertThat(d.train()).hasSize(762);
    assertThat(d.test().stream().filter(t -> !t.defective())).hasSize(190);
    assertThat(d.test().stream().filter(MvtecDataset.TestItem::defective)).hasSize(392);
    assertThat(d.test().stream().filter(t -> t.mask() != null)).hasSize(392);
    assertThat(d.missingMasks()).isEmpty();
    assertThat(d.defectTypes()).containsExactly("blowhole", "break", "crack", "fray", "uneven");
    MvtecDataset.TestItem first = d.test().stream().filter(MvtecDataset.TestItem::defective)
        .findFirst().orElseThrow();
    boolean[] mask = first.loadMask(256, 256);
    int on = 0;
    for (boolean b : mask) {
      on += b ? 1 : 0;
    }
    assertThat(on).isBetween(1, 256 * 256 - 1);
  }
}
