package ai.diffad.denoise.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.diffad.config.ConfigException;
import ai.diffad.config.ConfigLoader;
import ai.diffad.config.EngineConfig;
import ai.diffad.config.MapConfig;
import ai.diffad.config.MapKind;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.artifact.ModelArtifact;
import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** map = sum: standardised parts, their statistics learned on normal inputs and served. */
class SumMapperTest {
  private static final int SIZE = EngineFixtures.SIZE;
  @TempDir static Path dir;
  private static LoadedModel model;

  @BeforeAll
  static void tinyModel() {
    model = ModelArtifact.load(EngineFixtures.train(dir.resolve("stripes"), 60).artifact(),
        Device.cpu());
  }

  @AfterAll
  static void close() {
    if (model != null) {
      model.close();
    }
  }

  /** A mapper that returns fixed maps. */
  private record Fixed(List<float[]> maps, boolean needsReconstruction) implements AnomalyMapper {
    @Override
    public List<float[]> maps(MapBatch batch) {
      return maps;
    }
  }

  @Test
  void theSumIsTheWeightedSumOfStandardisedParts() {
    AnomalyMapper a = new Fixed(List.of(new float[] {1, 3}, new float[] {5, 7}), false);
    AnomalyMapper b = new Fixed(List.of(new float[] {10, 20}, new float[] {30, 40}), true);
    try (SumMapper s = new SumMapper(List.of(a, b), new double[] {2, 0.5}, new double[] {1, 10},
        new double[] {2, 5})) {
      assertThat(s.needsReconstruction()).isTrue();
      List<float[]> m = s.maps(null);
      // 2 (x - 1) / 2 + 0.5 (y - 10) / 5
      assertThat(m.get(0)).containsExactly(new float[] {0 + 0, 2 + 1}, within(1e-6f));
      assertThat(m.get(1)).containsExactly(new float[] {4 + 2, 6 + 3}, within(1e-6f));
    }
  }

  @Test
  void theFittedStatisticsAreEachPartsMeanAndStdOnNormalsAndAreServedFromTheModel()
      throws Exception {
    Path file = dir.resolve("sum.yaml");
    Files.writeString(file, "reconstruction: {tStar: 150, steps: 5}\n"
        + "map: {kind: sum, parts: [l1, {kind: mix, mixWeights: [0, 1, 0]}], weights: [1, 2]}\n"
        + "score: {smoothSigma: 1.0, reduction: max}\n");
    EngineConfig cfg = ConfigLoader.read(file, EngineConfig.class);
    assertThat(cfg.map()).isInstanceOf(MapConfig.Sum.class);
    SplittableRandom rng = new SplittableRandom(2);
    List<AnomalyEngine.ImageInput> normal = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      normal.add(new AnomalyEngine.ImageInput("n" + i, EngineFixtures.texture(SIZE, rng), 1, SIZE,
          SIZE));
    }
    AnomalyMappers.Fitter f = AnomalyMappers.fitter(model, cfg, 0).orElseThrow();
    assertThat(f.files()).containsExactly(SumStats.FILE);
    try (AnomalyEngine tiler = new AnomalyEngine(model, cfg.toBuilder().map(MapConfig.of(
        MapKind.L1)).build())) {
      for (AnomalyEngine.ImageInput in : normal) {
        f.add(in, tiler.tiles(in), 1, SIZE, SIZE);
      }
    }
    List<AnomalyEngine.ImageInput> test = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      float[] img = EngineFixtures.texture(SIZE, rng);
      if (i % 2 == 1) {
        EngineFixtures.pasteDefect(img, SIZE, rng);
      }
      test.add(new AnomalyEngine.ImageInput("t" + i, img, 1, SIZE, SIZE));
    }
    double[] inMemory;
    Map<String, byte[]> saved;
    try (SumMapper sum = (SumMapper) f.build()) {
      // each part's statistics, recomputed here from its own engine on the same normal inputs
      for (int p = 0; p < 2; p++) {
        EngineConfig part = cfg.toBuilder().map(((MapConfig.Sum) cfg.map()).parts().get(p))
            .smoothSigma(0.0).build();
        double s = 0;
        double s2 = 0;
        long n = 0;
        try (AnomalyEngine e = new AnomalyEngine(model, part)) {
          for (AnomalyEngine.ScoreResult r : e.scoreAll(normal)) {
            for (float v : r.map()) {
              s += v;
              s2 += (double) v * v;
              n++;
            }
          }
        }
        double mean = s / n;
        assertThat(sum.means()[p]).isCloseTo(mean, within(1e-6 + 1e-4 * Math.abs(mean)));
        assertThat(sum.stds()[p]).isCloseTo(Math.sqrt(s2 / n - mean * mean), within(1e-5));
      }
      inMemory = new AnomalyEngine(model, cfg, sum).scoreAll(test).stream()
          .mapToDouble(AnomalyEngine.ScoreResult::score).toArray();
      saved = f.bytes();
    }
    assertThat(saved).containsOnlyKeys(SumStats.FILE);
    // without the statistics in the model: a configuration error naming map and calibrate
    assertThatThrownBy(() -> new AnomalyEngine(model, cfg)).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("map: sum needs the statistics").hasMessageContaining("calibrate");
    Path copy = dir.resolve("with-stats");
    EngineFixtures.copyTree(model.directory(), copy);
    ModelArtifact.putFile(copy, SumStats.FILE, saved.get(SumStats.FILE));
    try (LoadedModel withStats = ModelArtifact.load(copy, Device.cpu())) {
      try (AnomalyEngine served = new AnomalyEngine(withStats, cfg)) {
        assertThat(served.scoreAll(test).stream().mapToDouble(AnomalyEngine.ScoreResult::score)
            .toArray()).containsExactly(inMemory, within(1e-6));
      }
      EngineConfig other = cfg.toBuilder().map(new MapConfig.Sum(MapKind.SUM,
          List.of(MapConfig.of(MapKind.L1), MapConfig.of(MapKind.L2)), null)).build();
      assertThatThrownBy(() -> new AnomalyEngine(withStats, other))
          .isInstanceOf(ConfigException.class).hasMessageContaining("was learned for the parts");
    }
  }

  @Test
  void aSumNeedsTwoPartsNoNestedSumAndOneWeightPerPart() {
    assertThatThrownBy(() -> new MapConfig.Sum(MapKind.SUM, List.of(MapConfig.of(MapKind.L1)),
        null)).isInstanceOf(ConfigException.class).hasMessageStartingWith("parts:");
    MapConfig.Sum ok = new MapConfig.Sum(MapKind.SUM, List.of(MapConfig.of(MapKind.L1),
        MapConfig.of(MapKind.SSIM)), null);
    assertThat(ok.weights()).containsExactly(1.0, 1.0);
    assertThatThrownBy(() -> new MapConfig.Sum(MapKind.SUM, List.of(ok, MapConfig.of(MapKind.L1)),
        null)).isInstanceOf(ConfigException.class).hasMessageContaining("cannot contain a sum");
    assertThatThrownBy(() -> new MapConfig.Sum(MapKind.SUM, ok.parts(), List.of(1.0)))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("weights:");
    assertThatThrownBy(() -> MapConfig.of(MapKind.SUM)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("--engine");
  }

}
