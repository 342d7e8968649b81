package ai.diffad.denoise.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.diffad.config.BackboneConfig;
import ai.diffad.config.ConfigException;
import ai.diffad.config.EngineConfig;
import ai.diffad.config.MapConfig;
import ai.diffad.config.MapKind;
import ai.diffad.config.ScoreReduction;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.backbone.Backbones;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The feature and knn maps on a pretrained backbone (PatchCore and DDAD's feature distance), and
 * PatchCore's coreset. The backbone tests need {@code ./diffad fetch-backbone} (CI runs it) and are
 * skipped without it; the coreset tests need nothing.
 */
class BackboneMapsTest {
  private static final int SIZE = EngineFixtures.SIZE;
  @TempDir static Path dir;
  private static LoadedModel model;

  @BeforeAll
  static void tinyModel() {
    model = ModelArtifact.load(EngineFixtures.train(dir.resolve("stripes"), 20).artifact(),
        Device.cpu());
  }

  @AfterAll
  static void close() {
    if (model != null) {
      model.close();
    }
  }

  private static void assumeFetched() {
    assumeTrue(Backbones.isFetched("mobilenet_v2"), "backbone mobilenet_v2 not in "
        + Backbones.packageDir() + ": run ./diffad fetch-backbone to run this test");
  }

  private static MapConfig.Knn knn(String backbone, List<String> layers, String sampling) {
    return new MapConfig.Knn(MapKind.KNN, 0, List.of(1), 3000,
        new BackboneConfig(backbone, layers, 64, null), sampling);
  }

  /**
   * A MobileNetV2 bank of normal stripe textures separates textures with pasted defects from
   * normal ones without any training (AUROC >= 0.9), its maps peak inside the defect, and the bank
   * saved in the model directory is served with the same scores; a bank built on MobileNetV2
   * refuses to be served with InceptionV3 or with other layers, naming the two settings.
   */
  @Test
  void aMobileNetBankDetectsPastedDefectsAndRefusesAnotherBackbone() {
    assumeFetched();
    MapConfig.Knn knn = knn("mobilenet_v2", List.of("block_2_add", "block_5_add"), "random");
    EngineConfig cfg = EngineConfig.builder().map(knn).smoothSigma(1.0)
        .reduction(ScoreReduction.MAX).build();
    SplittableRandom rng = new SplittableRandom(5);
    List<float[]> train = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      train.add(EngineFixtures.texture(SIZE, rng));
    }
    List<AnomalyEngine.ImageInput> normal = new ArrayList<>();
    List<AnomalyEngine.ImageInput> defective = new ArrayList<>();
    List<boolean[]> masks = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      normal.add(new AnomalyEngine.ImageInput("g" + i, EngineFixtures.texture(SIZE, rng), 1, SIZE,
          SIZE));
      float[] img = EngineFixtures.texture(SIZE, rng);
      masks.add(EngineFixtures.pasteDefect(img, SIZE, rng));
      defective.add(new AnomalyEngine.ImageInput("d" + i, img, 1, SIZE, SIZE));
    }
    byte[] saved;
    double[] good;
    try (KnnMapper mapper = new KnnMapper(FeatureBank.builder(model, cfg, knn, 3000, 1L)
        .add(train, 1, SIZE, SIZE).build())) {
      assertThat(mapper.bank().dims()).isEqualTo(24 + 32); // block_2_add 24 ch, block_5_add 32
      AnomalyEngine engine = new AnomalyEngine(model, cfg, mapper);
      good = engine.scoreAll(normal).stream().mapToDouble(AnomalyEngine.ScoreResult::score)
          .toArray();
      List<AnomalyEngine.ScoreResult> bad = engine.scoreAll(defective);
      double auroc = EngineFixtures.auroc(good, bad.stream()
          .mapToDouble(AnomalyEngine.ScoreResult::score).toArray());
      int inside = 0;
      for (int i = 0; i < bad.size(); i++) {
        float[] map = bad.get(i).map();
        int arg = 0;
        for (int p = 1; p < map.length; p++) {
          arg = map[p] > map[arg] ? p : arg;
        }
        inside += EngineFixtures.dilate(masks.get(i), SIZE, 3)[arg] ? 1 : 0;
      }
      System.out.printf("mobilenet bank: AUROC %.3f, map maximum in the defect %d/%d%n", auroc,
          inside, bad.size());
      assertThat(auroc).isGreaterThanOrEqualTo(0.9);
      assertThat(inside).isGreaterThanOrEqualTo(bad.size() * 3 / 4);
      saved = mapper.bank().toBytes();
    }
    Path copy = dir.resolve("with-bank");
    EngineFixtures.copyTree(model.directory(), copy);
    ModelArtifact.putFile(copy, FeatureBank.FILE, saved);
    try (LoadedModel withBank = ModelArtifact.load(copy, Device.cpu())) {
      try (AnomalyEngine served = new AnomalyEngine(withBank, cfg)) {
        double[] again = served.scoreAll(normal).stream()
            .mapToDouble(AnomalyEngine.ScoreResult::score).toArray();
        assertThat(again).containsExactly(good, org.assertj.core.api.Assertions.within(1e-5));
      }
      EngineConfig inception = cfg.toBuilder().map(knn("inception_v3", List.of("mixed0"),
          "random")).build();
      assertThatThrownBy(() -> new AnomalyEngine(withBank, inception))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("backbone=mobilenet_v2").hasMessageContaining("backbone=inception_v3")
          .hasMessageContaining("sha256=");
      EngineConfig otherLayers = cfg.toBuilder().map(knn("mobilenet_v2", List.of("block_5_add"),
          "random")).build();
      assertThatThrownBy(() -> new AnomalyEngine(withBank, otherLayers))
          .isInstanceOf(ConfigException.class).hasMessageContaining("[block_5_add]");
    }
    // the fitter names the backbone for model.json exactly as the bank's header does
    java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(saved)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    byte[] header = new byte[buf.getInt(8)];
    buf.position(12);
    buf.get(header);
    AnomalyMappers.Fitter fitter = AnomalyMappers.fitter(model, cfg, 200).orElseThrow();
    fitter.add(normal.get(0), new float[][] {normal.get(0).planar()}, 1, SIZE, SIZE);
    try (AnomalyMapper fitted = fitter.build()) {
      assertThat(fitter.backbones()).containsOnlyKeys(FeatureBank.FILE);
      assertThat(fitter.backbones().get(FeatureBank.FILE))
          .isEqualTo(new String(header, java.nio.charset.StandardCharsets.UTF_8))
          .contains("mobilenet_v2[block_2_add,block_5_add]@64").contains("sha256=");
    }
  }

  /**
   * DDAD's feature distance on the backbone: zero where input and reconstruction agree, and the
   * map = the mean over the chosen layers of 1 - cosine similarity computed here from the backbone's
   * own activations, upsampled to the tile.
   */
  @Test
  void theFeatureMapOnABackboneIsOneMinusCosineOfItsActivations() {
    assumeFetched();
    MapConfig.Feature f = new MapConfig.Feature(MapKind.FEATURE, null, null,
        new BackboneConfig("mobilenet_v2", List.of("block_5_add"), 64, null));
    EngineConfig cfg = EngineConfig.builder().map(f).smoothSigma(0.0).build();
    SplittableRandom rng = new SplittableRandom(3);
    float[] a = EngineFixtures.texture(SIZE, rng);
    float[] b = EngineFixtures.texture(SIZE, rng);
    try (FeatureMapper mapper = new FeatureMapper(model, cfg, f);
        FeatureSource source = FeatureSource.backbone(model, f.backbone());
        NDManager m = model.manager().newSubManager()) {
      MapBatch same = MapBatch.ofTiles(new float[][] {a}, new float[][] {a}, 1, SIZE, SIZE);
      for (float v : mapper.maps(same).get(0)) {
        assertThat(v).isLessThan(1e-4f);
      }
      float[] map = mapper.maps(MapBatch.ofTiles(new float[][] {a}, new float[][] {b}, 1, SIZE,
          SIZE)).get(0);
      NDArray fa = source.features(m, m.create(a, new Shape(1, 1, SIZE, SIZE))).get(0);
      NDArray fb = source.features(m, m.create(b, new Shape(1, 1, SIZE, SIZE))).get(0);
      NDArray cos = fa.mul(fb).sum(new int[] {1}).div(fa.norm(new int[] {1})
          .mul(fb.norm(new int[] {1})).add(1e-6f));
      int fh = (int) cos.getShape().get(1);
      float[] expected = Resampling.bilinear(cos.neg().add(1f).toFloatArray(), 1, fh, fh, SIZE,
          SIZE);
      assertThat(fh).isEqualTo(8); // 64 px in, stride 8 at block_5_add
      for (int p = 0; p < map.length; p++) {
        assertThat(map[p]).isCloseTo(expected[p], org.assertj.core.data.Offset.offset(1e-4f));
      }
      assertThat(expected[SIZE * SIZE / 2]).isGreaterThan(0.01f);
    }
  }

  /** The greedy coreset: distinct rows, the k-center radius within twice the optimum. */
  @Test
  void theCoresetCoversEveryClusterWhereARandomSampleMissesSmallOnes() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      // 1,000 points around (0, 0), 5 around (100, 0), 5 around (0, 100), 1 at (100, 100)
      SplittableRandom rng = new SplittableRandom(1);
      List<float[]> pts = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        pts.add(new float[] {(float) rng.nextDouble(), (float) rng.nextDouble()});
      }
      for (int i = 0; i < 5; i++) {
        pts.add(new float[] {100 + (float) rng.nextDouble(), (float) rng.nextDouble()});
        pts.add(new float[] {(float) rng.nextDouble(), 100 + (float) rng.nextDouble()});
      }
      pts.add(new float[] {100, 100});
      float[] flat = new float[pts.size() * 2];
      for (int i = 0; i < pts.size(); i++) {
        flat[2 * i] = pts.get(i)[0];
        flat[2 * i + 1] = pts.get(i)[1];
      }
      NDArray c = m.create(flat, new Shape(pts.size(), 2));
      long[] picked = Coreset.greedy(c, 4, 7L);
      Set<Long> distinct = new HashSet<>();
      boolean[] clusters = new boolean[4];
      for (long p : picked) {
        distinct.add(p);
        float[] v = pts.get((int) p);
        clusters[(v[0] > 50 ? 1 : 0) + (v[1] > 50 ? 2 : 0)] = true;
      }
      assertThat(distinct).hasSize(4);
      assertThat(clusters).containsOnly(true); // one centre in each cluster, the lone point too
      // every point lies within twice the best 4-center radius (< 1.5 here) of a picked one
      for (float[] v : pts) {
        double best = Double.MAX_VALUE;
        for (long p : picked) {
          float[] q = pts.get((int) p);
          best = Math.min(best, Math.hypot(v[0] - q[0], v[1] - q[1]));
        }
        assertThat(best).isLessThan(3.0);
      }
    }
  }

}
