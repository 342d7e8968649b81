package ai.diffad.evaluation.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class AuproTest {
  // Defect image (2x3):      scores        mask
  //                        .9 .5 .3       1 1 0
  //                        .2 .1 .7       0 0 1
  // Good image (2x3): scores .6 .4 .05 0 0 0, mask empty.
  // Descending: .9P .7P .6N .5P .4N .3N .2N .1N .05N 0N 0N 0N (9 negatives).
  private static final PixelMap DEFECT = new PixelMap(
      new float[] {0.9f, 0.5f, 0.3f, 0.2f, 0.1f, 0.7f},
      new boolean[] {true, true, false, false, false, true}, 2, 3);
  private static final PixelMap GOOD = new PixelMap(
      new float[] {0.6f, 0.4f, 0.05f, 0f, 0f, 0f}, new boolean[6], 2, 3);

  @Test
  void eightConnectedDiagonalRegionIsOneRegionAndGivesHandComputedArea() {
    // One region of 3 pixels, each adds 1/3 to PRO.
    // (fpr, pro): .9 (0,1/3) .7 (0,2/3) .6 (1/9,2/3) .5 (1/9,1) .4 (2/9,1) .3 (3/9,1)
    // area to 0.3: 1/9*2/3 + 1/9*1 + (0.3-2/9)*1 = 2/27 + 3/27 + 7/90 = 71/270; /0.3 = 71/81.
    assertThat(Aupro.of(List.of(DEFECT, GOOD))).isCloseTo(71.0 / 81.0, within(1e-12));
  }

  @Test
  void fourConnectivitySplitsTheDiagonalIntoTwoRegions() {
    // Regions {.9,.5} (each pixel adds 1/(2*2)) and {.7} (adds 1/(1*2)).
    // .9 (0,.25) .7 (0,.75) .6 (1/9,.75) .5 (1/9,1) .4 (2/9,1) then the limit.
    // area: 1/9*.75 + 1/9 + 7/90 = 49/180; /0.3 = 49/54.
    assertThat(Aupro.of(List.of(DEFECT, GOOD), 0.3, Connectivity.FOUR))
        .isCloseTo(49.0 / 54.0, within(1e-12));
  }

  @Test
  void fullFprRangeIntegratesToOne() {
    // To FPR 1: 1/9*2/3 + (1 - 1/9)*1 = 2/27 + 24/27 = 26/27.
    assertThat(Aupro.of(List.of(DEFECT, GOOD), 1.0, Connectivity.EIGHT))
        .isCloseTo(26.0 / 27.0, within(1e-12));
  }

  @Test
  void withoutAnyDefectRegionAuproIsRefused() {
    assertThatThrownBy(() -> Aupro.of(List.of(GOOD)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one defect region");
  }

  @Test
  void pixelAurocOverMapsUsesGoodImagesAsNegatives() {
    // Positives .9 .7 .5; negatives .6 .4 .3 .2 .1 .05 0 0 0.
    // .9 and .7 beat all 9; .5 beats 8 (not .6) -> 26/27.
    assertThat(Auroc.pixels(List.of(DEFECT, GOOD))).isCloseTo(26.0 / 27.0, within(1e-12));
  }

  @Test
  void componentsAreLabelledInRasterOrder() {
    boolean[] m = {
        true, false, true,
        false, true, false,
        false, false, true};
    assertThat(ConnectedComponents.label(m, 3, 3, Connectivity.EIGHT).count()).isEqualTo(1);
    ConnectedComponents.Labels four = ConnectedComponents.label(m, 3, 3, Connectivity.FOUR);
    assertThat(four.count()).isEqualTo(4);
    assertThat(four.labels()).containsExactly(1, 0, 2, 0, 3, 0, 0, 0, 4);
  }
}
