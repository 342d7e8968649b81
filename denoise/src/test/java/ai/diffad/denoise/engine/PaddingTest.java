package ai.diffad.denoise.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PaddingTest {
  @Test
  void reflectPaddingMirrorsWithoutRepeatingTheEdgeAndCropUndoesIt() {
    // one channel, 2 x 3: rows [1 2 3] and [4 5 6]
    float[] img = {1, 2, 3, 4, 5, 6};
    float[] p = AnomalyEngine.reflectPad(img, 1, 2, 3, 2);
    // padded 6 x 7; the row through the original first row, reflect-101: 3 2 | 1 2 3 | 2 1
    int w = 7;
    float[] row2 = java.util.Arrays.copyOfRange(p, 2 * w, 3 * w);
    assertThat(row2).containsExactly(3, 2, 1, 2, 3, 2, 1);
    // rows above mirror the rows below without repeating the edge: row 1 = original row 2 (4 5 6)
    assertThat(p[1 * w + 2]).isEqualTo(4f);
    // a pad longer than the side reflects again: row 0 is original row 1 (index 2 - 2 = 0 -> reflect(-2, 2) = 0)
    assertThat(p[0 * w + 2]).isEqualTo(1f);
    assertThat(AnomalyEngine.crop(p, 1, 6, 7, 2)).containsExactly(img);
    float[] two = AnomalyEngine.reflectPad(new float[] {1, 2, 3, 4, 9, 8, 7, 6}, 2, 2, 2, 1);
    assertThat(AnomalyEngine.crop(two, 2, 4, 4, 1)).containsExactly(1, 2, 3, 4, 9, 8, 7, 6);
    assertThat(AnomalyEngine.reflectIndex(-1, 5)).isEqualTo(1);
    assertThat(AnomalyEngine.reflectIndex(5, 5)).isEqualTo(3);
    assertThat(AnomalyEngine.reflectIndex(-3, 1)).isZero();
  }
}
