package ai.diffad.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EngineConfigTest {
  private static EngineConfig yaml(String text) {
    return ConfigLoader.parse(text, false, EngineConfig.class);
  }

  @Test
  void defaultsFollowTheDesign() {
    EngineConfig e = EngineConfig.defaults();
    assertThat(e.tStar()).isEqualTo(250);
    assertThat(e.sampler()).isEqualTo(SamplerKind.DDIM);
    assertThat(e.maxPixels()).isEqualTo(64L * 1024 * 1024);
    assertThat(e.score()).isEqualTo(ScoreReduction.MAX);
  }

  @Test
  void batchIsCappedByThePositionBudgetButNeverBelowOne() {
    EngineConfig e = yaml("batchSize: 16\n");
    assertThat(e.batchFor(64 * 64)).isEqualTo(16);
    assertThat(e.batchFor(128 * 128)).isEqualTo(4);
    assertThat(e.batchFor(256 * 256)).isEqualTo(1);
    assertThat(e.batchFor(1024 * 1024)).isEqualTo(1);
    assertThat(yaml("batchSize: 2\n").batchFor(32 * 32)).isEqualTo(2);
  }

  @Test
  void strengthMapsToTStarAsImg2ImgDoes() {
    assertThat(EngineConfig.tStarFromStrength(0.25, 1000)).isEqualTo(250);
    assertThat(EngineConfig.tStarFromStrength(1.0, 1000)).isEqualTo(999);
    assertThatThrownBy(() -> EngineConfig.tStarFromStrength(0, 1000))
        .hasMessage("--strength: must be in (0, 1], got 0.0");
  }

  @Test
  void moreStepsThanTheChainHasAreRefused() {
    assertThatThrownBy(() -> yaml("tStar: 5\nsteps: 10\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("steps: must be <= tStar + 1 (6), got 10");
  }

  @Test
  void badEnumAndRangeErrorsNameTheField() {
    assertThatThrownBy(() -> yaml("map: l3\n"))
        .hasMessage("map: must be one of [l1, l2, ssim, mix, feature, knn], got 'l3'");
    assertThatThrownBy(() -> yaml("topKPercent: 0\n"))
        .hasMessage("topKPercent: must be in (0, 100], got 0.0");
    assertThatThrownBy(() -> yaml("noise:\n  kind: perlin\n"))
        .hasMessage("noise.kind: must be one of [gaussian, simplex], got 'perlin'");
  }
}
