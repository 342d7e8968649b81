package ai.diffad.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
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
    assertThat(e.steps()).isEqualTo(10);
    assertThat(e.maxPixels()).isEqualTo(64L * 1024 * 1024);
    assertThat(e.reduction()).isEqualTo(ScoreReduction.MAX);
    assertThat(e.smoothSigma()).isEqualTo(4.0);
    assertThat(e.tileOverlap()).isEqualTo(0.25);
    assertThat(e.map()).isEqualTo(new MapConfig.PixelError(MapKind.L1, List.of(1.0, 0.0, 1.0)));
  }

  @Test
  void batchIsCappedByThePositionBudgetButNeverBelowOne() {
    EngineConfig e = yaml("reconstruction: {batchSize: 16}\n");
    assertThat(e.batchFor(64 * 64)).isEqualTo(16);
    assertThat(e.batchFor(128 * 128)).isEqualTo(4);
    assertThat(e.batchFor(256 * 256)).isEqualTo(1);
    assertThat(e.batchFor(1024 * 1024)).isEqualTo(1);
    assertThat(yaml("reconstruction: {batchSize: 2}\n").batchFor(32 * 32)).isEqualTo(2);
  }

  @Test
  void strengthMapsToTStarAsImg2ImgDoes() {
    assertThat(EngineConfig.tStarFromStrength(0.25, 1000)).isEqualTo(250);
    assertThat(EngineConfig.tStarFromStrength(1.0, 1000)).isEqualTo(999);
    assertThatThrownBy(() -> EngineConfig.tStarFromStrength(0, 1000))
        .hasMessage("--strength: must be in (0, 1], got 0.0");
  }

  @Test
  void moreStepsThanTheChainHasAreRefusedInFilesAndBuilders() {
    assertThatThrownBy(() -> yaml("reconstruction: {tStar: 5, steps: 10}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("reconstruction.steps: must be <= tStar + 1 (6), got 10");
    assertThatThrownBy(() -> EngineConfig.builder().tStar(5).steps(10).build())
        .isInstanceOf(ConfigException.class)
        .hasMessage("reconstruction.steps: must be <= tStar + 1 (6), got 10");
  }

  @Test
  void tStarIsCheckedAgainstTheModelsTOnce() {
    EngineConfig e = EngineConfig.builder().tStar(999).steps(1).build();
    assertThat(e.checkFor(1000, "reconstruction.tStar")).isSameAs(e);
    assertThatThrownBy(() -> e.checkFor(500, "--t-star"))
        .hasMessage("--t-star: must be < T (500) of the model, got 999");
  }

  @Test
  void badEnumRangeAndUnknownKeyErrorsNameTheFieldPath() {
    assertThatThrownBy(() -> yaml("map: l3\n"))
        .hasMessage("map: must be one of [l1, l2, ssim, mix, feature, knn, segmentation, sum, imputation], got 'l3'");
    assertThatThrownBy(() -> yaml("map: {kind: l3}\n"))
        .hasMessageStartingWith("map")
        .hasMessageContaining("must be one of [l1, l2, ssim, mix, feature, knn, segmentation, sum, imputation], got 'l3'");
    assertThatThrownBy(() -> yaml("score: {topKPercent: 0}\n"))
        .hasMessage("score.topKPercent: must be in (0, 100], got 0.0");
    assertThatThrownBy(() -> yaml("reconstruction: {noise: {kind: perlin}}\n"))
        .hasMessage("reconstruction.noise.kind: must be one of [gaussian, simplex], got 'perlin'");
    assertThatThrownBy(() -> yaml("reconstruction: {tstar: 3}\n"))
        .hasMessageStartingWith("reconstruction.tstar: unknown key")
        .hasMessageContaining("tStar");
    // the old flat layout is refused, naming the key
    assertThatThrownBy(() -> yaml("tStar: 250\n"))
        .hasMessageStartingWith("tStar: unknown key");
  }

  @Test
  void eachMapVariantCarriesOnlyItsOwnSettings() {
    assertThat(yaml("map: l2\n").map()).isEqualTo(MapConfig.of(MapKind.L2));
    assertThat(yaml("map: {kind: mix, mixWeights: [1, 2, 0]}\n").map())
        .isEqualTo(new MapConfig.PixelError(MapKind.MIX, List.of(1.0, 2.0, 0.0)));
    MapConfig f = yaml("map: {kind: feature, featureT: 20, levels: [0, 2]}\n").map();
    assertThat(f).isEqualTo(new MapConfig.Feature(MapKind.FEATURE, 20, List.of(0, 2)));
    MapConfig k = yaml("map: {kind: knn, bankSize: 500}\n").map();
    assertThat(k).isEqualTo(new MapConfig.Knn(MapKind.KNN, 50, List.of(1, 2), 500));
    assertThat(yaml("map: {kind: knn, reweight: 9}\n").map())
        .isEqualTo(new MapConfig.Knn(MapKind.KNN, 50, List.of(1, 2), null, null, null, 9));
    assertThatThrownBy(() -> yaml("map: {kind: knn, reweight: 65}\n"))
        .hasMessageStartingWith("map.reweight: must be");
    // a file a user brings is normalised as torchvision's (ImageNet mean and std) unless told
    assertThat(new BackboneConfig("wrn50.onnx", null, null, null).normalize()).isEqualTo("imagenet");
    assertThat(new BackboneConfig("wrn50.pt", null, null, null).normalize()).isEqualTo("imagenet");
    assertThat(new BackboneConfig("tfjs/model.json", null, null, null).normalize())
        .isEqualTo("keras");
    assertThat(yaml("tiling: {views: flips}\n").views()).isEqualTo(TileViews.FLIPS);
    assertThat(yaml("tiling: {tileSize: 64}\n").views()).isEqualTo(TileViews.NONE);
    assertThatThrownBy(() -> yaml("tiling: {views: spin}\n"))
        .hasMessageStartingWith("tiling.views")
        .hasMessageContaining("[none, hflip, flips, rotations, d4], got 'spin'");
    assertThat(yaml("map: segmentation\n").map()).isEqualTo(new MapConfig.Segmentation(null));
    assertThat(yaml("map: {kind: segmentation}\n").map().kind()).isEqualTo(MapKind.SEGMENTATION);
    assertThatThrownBy(() -> yaml("map: {kind: segmentation, levels: [1]}\n"))
        .hasMessageStartingWith("map.levels: unknown key");
    // a setting of another variant is an unknown key of this one
    assertThatThrownBy(() -> yaml("map: {kind: l1, featureT: 20}\n"))
        .hasMessageStartingWith("map.featureT: unknown key");
    assertThatThrownBy(() -> yaml("map: {kind: feature, levels: []}\n"))
        .hasMessageContaining("levels: must name at least one level");
    assertThatThrownBy(() -> yaml("map: {kind: mix, mixWeights: [0, 0, 0]}\n"))
        .hasMessageContaining("mixWeights: must not be all zero");
  }

  @Test
  void aConfigurationRoundTripsThroughJsonAndTheBuilderKeepsWhatItIsNotTold() throws Exception {
    EngineConfig e = EngineConfig.builder().tStar(400).steps(1).seeds(4).tileOverlap(0.75)
        .map(new MapConfig.Feature(MapKind.FEATURE, 10, List.of(1))).smoothSigma(2.0)
        .reduction(ScoreReduction.TOP_K).topKPercent(5.0).maxPixels(1000L).build();
    String json = new ObjectMapper().writeValueAsString(e);
    assertThat(ConfigLoader.parse(json, true, EngineConfig.class)).isEqualTo(e);
    EngineConfig changed = e.toBuilder().steps(2).build();
    assertThat(changed.steps()).isEqualTo(2);
    assertThat(changed.toBuilder().steps(1).build()).isEqualTo(e);
    assertThat(e.toBuilder().map(MapKind.FEATURE).build().map()).isSameAs(e.map());
    assertThat(e.toBuilder().map(MapKind.KNN).build().map()).isEqualTo(MapConfig.of(MapKind.KNN));
  }
}
