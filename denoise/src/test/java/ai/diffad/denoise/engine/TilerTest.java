package ai.diffad.denoise.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TilerTest {

  private static float[] random(int n, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    return x;
  }

  @Test
  void stitchingIdentityTilesReproducesTheInputExactly() {
    Tiler tiler = Tiler.of(32, 0.25, 4);
    int[][] sizes = {{96, 96}, {70, 45}, {32, 32}, {20, 50}, {7, 9}, {33, 100}};
    for (int[] s : sizes) {
      float[] x = random(3 * s[0] * s[1], s[0] * 1000L + s[1]);
      TilePlan plan = tiler.plan(s[0], s[1]);
      float[] back = plan.stitch(plan.extractAll(x, 3), 3);
      assertThat(back).as("%dx%d %s", s[0], s[1], plan).containsExactly(x);
    }
  }

  @Test
  void seriesWindowsStitchBackExactly() {
    Tiler tiler = Tiler.of(16, 0.5, 4);
    for (int len : new int[] {16, 17, 100, 5}) {
      float[] x = random(2 * len, len);
      TilePlan plan = tiler.plan(len);
      assertThat(plan.isSeries()).isTrue();
      assertThat(plan.tileSpatialShape()).containsExactly(16L);
      assertThat(plan.stitch(plan.extractAll(x, 2), 2)).containsExactly(x);
    }
  }

  @Test
  void tilesCoverTheImageWithAtLeastTheRequestedOverlap() {
    Tiler tiler = Tiler.of(32, 0.25, 8);
    TilePlan plan = tiler.plan(96, 100);
    // stride may not exceed 32 * 0.75 = 24: 96 needs 4 tiles (64 / 24 -> 3 strides)
    assertThat(plan.rowStarts()).containsExactly(0, 21, 43, 64);
    int[] cols = plan.columnStarts();
    assertThat(cols[0]).isZero();
    assertThat(cols[cols.length - 1] + 32).isEqualTo(100);
    for (int i = 1; i < cols.length; i++) {
      assertThat(cols[i] - cols[i - 1]).isBetween(1, 24);
    }
    assertThat(plan.count()).isEqualTo(4 * cols.length);
  }

  @Test
  void smallImagesAreReflectPaddedToOneFullTile() {
    TilePlan plan = Tiler.of(8, 0.25, 4).plan(3, 5);
    assertThat(plan.count()).isEqualTo(1);
    assertThat(plan.paddedHeight()).isEqualTo(8);
    float[] x = new float[15];
    for (int i = 0; i < 15; i++) {
      x[i] = i;
    }
    float[] t = plan.extract(x, 1, 0);
    // row 0 of the tile: columns 0..4, then reflect-101: 3, 2, 1
    assertThat(java.util.Arrays.copyOfRange(t, 0, 8))
        .containsExactly(0, 1, 2, 3, 4, 3, 2, 1);
    // rows reflect 0,1,2,1,0,1,2,1: tile row 3 is image row 1, tile row 4 image row 0
    assertThat(t[3 * 8]).isEqualTo(5);
    assertThat(t[4 * 8 + 2]).isEqualTo(2);
  }

  @Test
  void reflectionHandlesPadsLongerThanTheInput() {
    assertThat(TilePlan.reflect(0, 1)).isZero();
    assertThat(TilePlan.reflect(7, 1)).isZero();
    int[] expected = {0, 1, 2, 1, 0, 1, 2, 1, 0};
    for (int i = 0; i < expected.length; i++) {
      assertThat(TilePlan.reflect(i, 3)).isEqualTo(expected[i]);
    }
  }

  @Test
  void blendingWindowPeaksInTheMiddleAndKeepsAFloorAtTheEdges() {
    double[] w = TilePlan.window(32);
    assertThat(w[0]).isGreaterThanOrEqualTo(TilePlan.WINDOW_FLOOR).isLessThan(0.05);
    assertThat(w[15]).isGreaterThan(0.99);
    assertThat(w[0]).isCloseTo(w[31], within(1e-15));
  }

  @Test
  void tileSidesThatTheNetworkCannotTakeAreRefusedNamingTheField() {
    assertThatThrownBy(() -> Tiler.of(30, 0.25, 8))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("engine.tileSize")
        .hasMessageContaining("8")
        .hasMessageContaining("30");
    assertThatThrownBy(() -> Tiler.of(32, 0.95, 8)).hasMessageContaining("engine.tileOverlap");
  }
}
