package ai.diffad.model.impute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.diffad.config.ImputationConfig;
import ai.diffad.config.MapConfig;
import ai.diffad.config.MapKind;
import ai.diffad.config.MaskKind;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The imputer's masks and network input, on hand-made cases. */
class ImputationTest {
  private static MapConfig.Imputation map(MaskKind kind, int lastRows, int strips, double ratio) {
    return new MapConfig.Imputation(MapKind.IMPUTATION, kind, lastRows, strips, ratio, 1, null,
        null);
  }

  @Test
  void theLastMaskHidesExactlyTheLastRows() {
    float[][] m = Imputation.scoringMasks(map(MaskKind.LAST, 4, 8, 0.25), 16, 7L);
    assertThat(m).hasDimensions(1, 16);
    assertThat(m[0]).containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1);
    assertThatThrownBy(() -> Imputation.scoringMasks(map(MaskKind.LAST, 16, 8, 0.25), 16, 0L))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lastRows 16");
  }

  @Test
  void theGratingMasksAreTwoComplementaryStripPatterns() {
    float[][] m = Imputation.scoringMasks(map(MaskKind.GRATING, 8, 4, 0.25), 16, 7L);
    assertThat(m[0]).containsExactly(1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0);
    assertThat(m[1]).containsExactly(0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1);
    // 3 strips of 10 rows: floor(10 / 3) = 3 rows each, the last strip takes the remainder.
    float[][] r = Imputation.scoringMasks(map(MaskKind.GRATING, 8, 3, 0.25), 10, 0L);
    assertThat(r[0]).containsExactly(1, 1, 1, 0, 0, 0, 1, 1, 1, 1);
  }

  @Test
  void theRandomMasksPartitionTheRowsDependingOnTheKeyOnly() {
    MapConfig.Imputation rand = map(MaskKind.RANDOM, 8, 8, 0.25);
    assertThat(rand.passes(1)).isEqualTo(4);
    float[][] a = Imputation.scoringMasks(rand, 16, 11L);
    int[] hiddenIn = new int[16];
    for (float[] pass : a) {
      int count = 0;
      for (int r = 0; r < 16; r++) {
        hiddenIn[r] += (int) pass[r];
        count += (int) pass[r];
      }
      assertThat(count).isEqualTo(4);
    }
    assertThat(hiddenIn).containsOnly(1);
    assertThat(Imputation.scoringMasks(rand, 16, 11L)).isDeepEqualTo(a);
    assertThat(Imputation.scoringMasks(rand, 16, 12L)).isNotEqualTo(a);
  }

  @Test
  void trainingMasksFollowTheConfiguredKinds() {
    SplittableRandom rng = new SplittableRandom(3);
    float[] out = new float[20];
    ImputationConfig last = new ImputationConfig(List.of(MaskKind.LAST), 5, 4, 0.25);
    Imputation.trainingMask(last, 16, rng, out, 2);
    assertThat(out).containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0);

    ImputationConfig grating = new ImputationConfig(List.of(MaskKind.GRATING), 5, 4, 0.25);
    boolean[] phases = new boolean[2];
    for (int i = 0; i < 40; i++) {
      float[] g = new float[16];
      Imputation.trainingMask(grating, 16, rng, g, 0);
      assertThat(g[0] + g[4]).isEqualTo(1f);
      phases[(int) g[4]] = true;
    }
    assertThat(phases).containsOnly(true);

    ImputationConfig random = new ImputationConfig(List.of(MaskKind.RANDOM), 5, 4, 0.01);
    for (int i = 0; i < 40; i++) {
      float[] g = new float[8];
      Imputation.trainingMask(random, 8, rng, g, 0);
      double hidden = 0;
      for (float v : g) {
        hidden += v;
      }
      assertThat(hidden).isGreaterThanOrEqualTo(1);
    }
  }

  @Test
  void sensorMasksHideOneWholeChannelAndRowMasksRepeatOnEveryChannel() {
    SplittableRandom rng = new SplittableRandom(9);
    ImputationConfig sensor = new ImputationConfig(List.of(MaskKind.SENSOR), 5, 4, 0.25);
    int[] hiddenChannel = new int[3];
    for (int i = 0; i < 60; i++) {
      float[] out = new float[2 + 3 * 4];
      Imputation.trainingMask(sensor, 3, 3, 4, rng, out, 2);
      assertThat(out[0] + out[1]).isZero();
      int hidden = -1;
      for (int ch = 0; ch < 3; ch++) {
        float first = out[2 + ch * 4];
        for (int r = 0; r < 4; r++) {
          assertThat(out[2 + ch * 4 + r]).as("channel %d is all hidden or all visible", ch)
              .isEqualTo(first);
        }
        if (first == 1f) {
          assertThat(hidden).as("one channel hidden").isEqualTo(-1);
          hidden = ch;
        }
      }
      assertThat(hidden).isNotNegative();
      hiddenChannel[hidden]++;
    }
    assertThat(hiddenChannel).doesNotContain(0);
    assertThatThrownBy(() -> Imputation.trainingMask(sensor, 1, 1, 4, rng, new float[4], 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mask per channel");

    // A row mask on a model with a mask per channel is the same row mask on each channel.
    ImputationConfig mixed = new ImputationConfig(List.of(MaskKind.LAST), 2, 4, 0.25);
    float[] out = new float[8];
    Imputation.trainingMask(mixed, 2, 2, 4, rng, out, 0);
    assertThat(out).containsExactly(0, 0, 1, 1, 0, 0, 1, 1);
  }

  @Test
  void contextChannelsAreNeverHidden() {
    SplittableRandom rng = new SplittableRandom(4);
    // One value channel and its context: every kind hides rows of channel 0 only.
    for (MaskKind kind : List.of(MaskKind.LAST, MaskKind.GRATING, MaskKind.RANDOM)) {
      ImputationConfig c = new ImputationConfig(List.of(kind), 2, 2, 0.5);
      for (int i = 0; i < 20; i++) {
        float[] out = new float[1 + 2 * 4];
        java.util.Arrays.fill(out, 7f);
        Imputation.trainingMask(c, 2, 1, 4, rng, out, 1);
        assertThat(out[0]).isEqualTo(7f);
        assertThat(java.util.Arrays.copyOfRange(out, 5, 9)).as(kind + ": the context")
            .containsOnly(0f);
        assertThat(java.util.Arrays.copyOfRange(out, 1, 5)).as(kind + ": the value").contains(1f);
      }
    }
    assertThat(Imputation.scoringMasks(map(MaskKind.LAST, 2, 2, 0.25), 1, 2, 4, 0L))
        .isDeepEqualTo(new float[][] {{0, 0, 1, 1, 0, 0, 0, 0}});
    float[][] g = Imputation.scoringMasks(map(MaskKind.GRATING, 8, 2, 0.25), 1, 2, 4, 0L);
    assertThat(g).isDeepEqualTo(new float[][] {{1, 1, 0, 0, 0, 0, 0, 0}, {0, 0, 1, 1, 0, 0, 0, 0}});
    // Sensor masks hide value channels only: two sensors and their two contexts, two passes.
    float[][] s = Imputation.scoringMasks(map(MaskKind.SENSOR, 8, 8, 0.25), 2, 4, 1, 0L);
    assertThat(s).isDeepEqualTo(new float[][] {{1, 0, 0, 0}, {0, 1, 0, 0}});
  }

  @Test
  void sensorScoringMasksHideEachChannelOnceAndNeedAMaskPerChannel() {
    MapConfig.Imputation sensor = map(MaskKind.SENSOR, 8, 8, 0.25);
    assertThat(sensor.passes(3)).isEqualTo(3);
    float[][] m = Imputation.scoringMasks(sensor, 3, 3, 2, 0L);
    assertThat(m).hasDimensions(3, 6);
    assertThat(m[0]).containsExactly(1, 1, 0, 0, 0, 0);
    assertThat(m[1]).containsExactly(0, 0, 1, 1, 0, 0);
    assertThat(m[2]).containsExactly(0, 0, 0, 0, 1, 1);
    assertThatThrownBy(() -> Imputation.scoringMasks(sensor, 3, 1, 2, 0L))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("trained with sensor masks");
    assertThatThrownBy(() -> Imputation.scoringMasks(sensor, 4, 0L))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("channels");
    // Row masks for a model with a mask per channel: each pass repeated on every channel.
    float[][] g = Imputation.scoringMasks(map(MaskKind.GRATING, 8, 2, 0.25), 2, 2, 4, 0L);
    assertThat(g[0]).containsExactly(1, 1, 0, 0, 1, 1, 0, 0);
    assertThat(g[1]).containsExactly(0, 0, 1, 1, 0, 0, 1, 1);
  }

  @Test
  void theInputIsNoisedHiddenRowsCleanVisibleRowsAndTheMask() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray xt = m.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(1, 2, 3));
      NDArray clean = m.create(new float[] {10, 20, 30, 40, 50, 60}, new Shape(1, 2, 3));
      NDArray mask = m.create(new float[] {0, 1, 0}, new Shape(1, 1, 3));
      NDArray in = Imputation.input(xt, clean, mask);
      assertThat(in.getShape()).isEqualTo(new Shape(1, 5, 3));
      assertThat(in.toFloatArray()).containsExactly(
          0, 2, 0, 0, 5, 0, 10, 0, 30, 40, 0, 60, 0, 1, 0);
    }
  }

  @Test
  void aMaskPerChannelHidesValuesNotRows() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray xt = m.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(1, 2, 3));
      NDArray clean = m.create(new float[] {10, 20, 30, 40, 50, 60}, new Shape(1, 2, 3));
      NDArray mask = m.create(new float[] {1, 1, 1, 0, 0, 0}, new Shape(1, 2, 3));
      NDArray in = Imputation.input(xt, clean, mask);
      assertThat(in.getShape()).isEqualTo(new Shape(1, 6, 3));
      assertThat(in.toFloatArray()).containsExactly(
          1, 2, 3, 0, 0, 0, 0, 0, 0, 40, 50, 60, 1, 1, 1, 0, 0, 0);
    }
  }
}
