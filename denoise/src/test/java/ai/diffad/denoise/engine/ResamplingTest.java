package ai.diffad.denoise.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ResamplingTest {

  @Test
  void shorterSideFollowsTheTrainingResizeRounding() {
    assertThat(Resampling.shorterSide(300, 200, 100)).containsExactly(150, 100);
    assertThat(Resampling.shorterSide(101, 333, 64)).containsExactly(64, 211);
    assertThat(Resampling.shorterSide(50, 80, 0)).containsExactly(50, 80);
    assertThat(Resampling.shorterSide(64, 80, 64)).containsExactly(64, 80);
  }

  @Test
  void resizingKeepsPlanesApartAndConstantsConstant() {
    float[] img = new float[2 * 10 * 12];
    Arrays.fill(img, 0, 120, 0.25f);
    Arrays.fill(img, 120, 240, -0.5f);
    float[] down = Resampling.likeTraining(img, 2, 10, 12, 5, 6);
    float[] up = Resampling.bilinear(down, 2, 5, 6, 10, 12);
    assertThat(down).hasSize(60);
    assertThat(up).hasSize(240);
    for (int i = 0; i < 240; i++) {
      assertThat(up[i]).isCloseTo(i < 120 ? 0.25f : -0.5f, within(1e-6f));
    }
  }

  @Test
  void bilinearUpsamplingOfARampStaysARamp() {
    float[] ramp = {0f, 1f, 2f, 3f};
    float[] up = Resampling.bilinear(ramp, 1, 1, 4, 1, 8);
    // OpenCV's half-pixel convention: interior samples fall halfway between neighbours
    assertThat(up[3]).isCloseTo(1.25f, within(1e-6f));
    assertThat(up[0]).isCloseTo(0f, within(1e-6f));
    assertThat(up[7]).isCloseTo(3f, within(1e-6f));
  }
}
