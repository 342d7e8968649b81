package ai.diffad.denoise.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.diffad.config.EngineConfig;
import ai.diffad.config.MapConfig;
import ai.diffad.config.MapKind;
import ai.diffad.config.ScoreReduction;
import ai.diffad.model.NetworkFn;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.train.TrainingResult;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine on a real tiny U-Net trained on stripe textures in the class set-up (shared by the
 * tests of this class only, closed after them).
 */
class AnomalyEngineTest {
  private static final int SIZE = EngineFixtures.SIZE;
  /** Training steps of the shared model; enough for the stripes, a few seconds on 2 cores. */
  private static final int TRAIN_STEPS = 400;

  @TempDir static Path dir;
  private static LoadedModel model;

  @BeforeAll
  static void trainTinyModel() {
    long t0 = System.nanoTime();
    TrainingResult r = EngineFixtures.train(dir.resolve("stripes"), TRAIN_STEPS);
    System.out.printf("stripe model: %d steps in %.1f s (%.1f ms/step), last loss %.4f%n",
        TRAIN_STEPS, (System.nanoTime() - t0) / 1e9, r.secondsPerStep() * 1000, r.lastLoss());
    model = ModelArtifact.load(r.artifact(), Device.cpu());
  }

  @AfterAll
  static void closeModel() {
    if (model != null) {
      model.close();
    }
  }

  /** The detection settings (see the detection test). */
  private static EngineConfig detection() {
    return EngineConfig.builder().tStar(DETECT_T_STAR).steps(DETECT_STEPS).map(DETECT_MAP)
        .smoothSigma(DETECT_SIGMA).reduction(ScoreReduction.MAX).build();
  }

  private static final int DETECT_T_STAR = 150;
  private static final int DETECT_STEPS = 5;
  private static final MapKind DETECT_MAP = MapKind.L1;
  private static final double DETECT_SIGMA = 2.0;

  /**
   * Defects of 6-8 px (bright or dark disks, 2-px scratches) pasted into held-out stripe
   * textures. Settings: t* = 150 (x_t = 0.89 x + 0.46 n: noise at half the signal scale drowns a
   * defect's pixels, yet DDIM keeps the stripes' phase), 5 DDIM steps (deterministic), L1 map
   * smoothed with sigma 2 px (about a defect's radius, so a defect's error adds up while
   * single-pixel texture noise averages out), score = max. A sweep on this model gave AUROC 1.0
   * for L1 and L2 at t* 100-250 (also one-step), 0.70-0.99 for SSIM maps.
   */
  @Test
  void pastedDefectsAreDetectedWithAurocAbove0_9AndLocalisedByTheMapsMaximum() {
    int n = 24;
    SplittableRandom rng = new SplittableRandom(2026);
    List<AnomalyEngine.ImageInput> normal = new ArrayList<>();
    List<AnomalyEngine.ImageInput> defective = new ArrayList<>();
    List<boolean[]> masks = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      normal.add(new AnomalyEngine.ImageInput("good/" + i, EngineFixtures.texture(SIZE, rng), 1,
          SIZE, SIZE));
      float[] img = EngineFixtures.texture(SIZE, rng);
      boolean[] mask = EngineFixtures.pasteDefect(img, SIZE, rng);
      masks.add(EngineFixtures.dilate(mask, SIZE, 2));
      defective.add(new AnomalyEngine.ImageInput("bad/" + i, img, 1, SIZE, SIZE));
    }
    AnomalyEngine engine = new AnomalyEngine(model, detection());

    long t0 = System.nanoTime();
    List<AnomalyEngine.ScoreResult> good = engine.scoreAll(normal);
    List<AnomalyEngine.ScoreResult> bad = engine.scoreAll(defective);
    double seconds = (System.nanoTime() - t0) / 1e9;

    double[] sg = good.stream().mapToDouble(AnomalyEngine.ScoreResult::score).toArray();
    double[] sb = bad.stream().mapToDouble(AnomalyEngine.ScoreResult::score).toArray();
    double auroc = EngineFixtures.auroc(sg, sb);
    int inside = 0;
    for (int i = 0; i < n; i++) {
      if (masks.get(i)[AnomalyMaps.argmax(bad.get(i).map())]) {
        inside++;
      }
    }
    double modelMs = 0;
    for (AnomalyEngine.ScoreResult r : good) {
      modelMs += r.modelMs();
    }
    System.out.printf("detection: AUROC %.3f, argmax inside defect %d/%d, %d images in %.2f s"
        + " (%.1f ms model per image)%n", auroc, inside, n, 2 * n, seconds, modelMs / n);
    assertThat(auroc).isGreaterThanOrEqualTo(0.9);
    assertThat(inside).as("maps whose maximum lies in the (dilated) defect").isGreaterThan(n * 3 / 4);
    assertThat(good.get(0).map()).hasSize(SIZE * SIZE);
    assertThat(good.get(0).reconstruction()).hasSize(SIZE * SIZE);
  }

  /**
   * The feature map (1 - cosine of encoder activations of input and reconstruction): values lie in
   * [0, 2], the map has the input's size, calibration settings record featureT and levels, and on
   * the stripe model it still separates pasted defects from normal textures.
   */
  @Test
  void featureMapsAreCosineDistancesAtInputSizeAndSeparatePastedDefects() {
    EngineConfig cfg = detection().toBuilder()
        .map(new MapConfig.Feature(MapKind.FEATURE, 20, List.of(1))).build();
    SplittableRandom rng = new SplittableRandom(7);
    List<AnomalyEngine.ImageInput> normal = new ArrayList<>();
    List<AnomalyEngine.ImageInput> defective = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      normal.add(new AnomalyEngine.ImageInput("g" + i, EngineFixtures.texture(SIZE, rng), 1, SIZE, SIZE));
      float[] img = EngineFixtures.texture(SIZE, rng);
      EngineFixtures.pasteDefect(img, SIZE, rng);
      defective.add(new AnomalyEngine.ImageInput("d" + i, img, 1, SIZE, SIZE));
    }
    AnomalyEngine engine = new AnomalyEngine(model, cfg);
    List<AnomalyEngine.ScoreResult> good = engine.scoreAll(normal);
    List<AnomalyEngine.ScoreResult> bad = engine.scoreAll(defective);
    for (AnomalyEngine.ScoreResult r : good) {
      assertThat(r.map()).hasSize(SIZE * SIZE);
      for (float v : r.map()) {
        assertThat(v).isBetween(0f, 2f);
      }
    }
    double auroc = EngineFixtures.auroc(
        good.stream().mapToDouble(AnomalyEngine.ScoreResult::score).toArray(),
        bad.stream().mapToDouble(AnomalyEngine.ScoreResult::score).toArray());
    System.out.printf("feature map detection AUROC %.3f%n", auroc);
    assertThat(auroc).isGreaterThanOrEqualTo(0.8);
    assertThat(ai.diffad.denoise.calibrate.ScoreSettings.of(cfg).featureLevels()).containsExactly(1);
    assertThat(ai.diffad.denoise.calibrate.ScoreSettings.of(detection()).featureT()).isNull();
  }

  /**
   * map = knn: a bank holding every position of a texture gives that texture a zero map (each
   * position finds itself), another texture a positive one; pasted defects score above normal
   * textures when the bank holds other normal textures.
   */
  @Test
  void knnMapsAreNearestNeighbourDistancesToTheBank() {
    MapConfig.Knn knn = new MapConfig.Knn(MapKind.KNN, 10, List.of(0, 1), 4000);
    EngineConfig cfg = detection().toBuilder().map(knn).smoothSigma(0.0).build();
    SplittableRandom rng = new SplittableRandom(11);
    float[] a = EngineFixtures.texture(SIZE, rng);
    float[] b = EngineFixtures.texture(SIZE, rng);
    try (FeatureBank self = FeatureBank.builder(model, cfg, knn, SIZE * SIZE, 1L)
        .add(List.of(a), 1, SIZE, SIZE).build()) {
      assertThat(self.size()).isEqualTo(SIZE * SIZE); // level 0 is full resolution
      float[][] maps = self.distances(new float[][] {a, b}, 1, SIZE, SIZE);
      float maxA = 0;
      double meanB = 0;
      for (int i = 0; i < SIZE * SIZE; i++) {
        maxA = Math.max(maxA, maps[0][i]);
        meanB += maps[1][i] / (SIZE * SIZE);
      }
      assertThat(maxA).isLessThan(0.05f * (float) meanB);
      assertThat(meanB).isGreaterThan(0);
    }
    List<float[]> normalTrain = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      normalTrain.add(EngineFixtures.texture(SIZE, rng));
    }
    List<AnomalyEngine.ImageInput> normal = new ArrayList<>();
    List<AnomalyEngine.ImageInput> defective = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      normal.add(new AnomalyEngine.ImageInput("g" + i, EngineFixtures.texture(SIZE, rng), 1, SIZE, SIZE));
      float[] img = EngineFixtures.texture(SIZE, rng);
      EngineFixtures.pasteDefect(img, SIZE, rng);
      defective.add(new AnomalyEngine.ImageInput("d" + i, img, 1, SIZE, SIZE));
    }
    double[] inMemory;
    byte[] saved;
    try (KnnMapper mapper = new KnnMapper(FeatureBank.builder(model, cfg, knn, 4000, 3L)
        .add(normalTrain, 1, SIZE, SIZE).build())) {
      AnomalyEngine engine = new AnomalyEngine(model, cfg, mapper);
      double[] good = engine.scoreAll(normal).stream()
          .mapToDouble(AnomalyEngine.ScoreResult::score).toArray();
      double[] bad = engine.scoreAll(defective).stream()
          .mapToDouble(AnomalyEngine.ScoreResult::score).toArray();
      double auroc = EngineFixtures.auroc(good, bad);
      System.out.printf("knn map detection AUROC %.3f%n", auroc);
      assertThat(auroc).isGreaterThanOrEqualTo(0.8);
      inMemory = good;
      saved = mapper.bank().toBytes();
    }
    // without a bank of normal features in the model directory: a configuration error naming map
    assertThatThrownBy(() -> new AnomalyEngine(model, cfg))
        .isInstanceOf(ai.diffad.config.ConfigException.class)
        .hasMessageStartingWith("map: knn needs a bank of normal features")
        .hasMessageContaining("diffad calibrate")
        .hasMessageContaining("[l1, l2, ssim, mix, feature]");

    // saved in a copy of the model directory with its SHA-256, the bank is served like any map
    Path copy = dir.resolve("stripes-with-bank");
    EngineFixtures.copyTree(model.directory(), copy);
    ModelArtifact.putFile(copy, FeatureBank.FILE, saved);
    assertThat(ModelArtifact.readManifest(copy).files()).containsKey(FeatureBank.FILE);
    try (LoadedModel withBank = ModelArtifact.load(copy, Device.cpu());
        AnomalyEngine served = new AnomalyEngine(withBank, cfg)) {
      assertThat(served.mapper()).isInstanceOf(KnnMapper.class);
      double[] again = served.scoreAll(normal).stream()
          .mapToDouble(AnomalyEngine.ScoreResult::score).toArray();
      assertThat(again).containsExactly(inMemory, within(1e-6));
      // a bank built at another encoder step is refused, naming map and the two settings
      EngineConfig otherT = cfg.toBuilder()
          .map(new MapConfig.Knn(MapKind.KNN, 20, List.of(0, 1), 4000)).build();
      assertThatThrownBy(() -> new AnomalyEngine(withBank, otherT))
          .isInstanceOf(ai.diffad.config.ConfigException.class)
          .hasMessageContaining("featureT=10")
          .hasMessageContaining("featureT=20");
    }
  }


  /**
   * A constant image three tiles wide: pixels within 1 px of internal tile edges must have the
   * same mean error as tile interiors, within 4 %. The network's own tile edges (zero padding in
   * its convolutions) are worse; measured on this model, uniform blending weights put the edge
   * bands 7 % above the interiors (this test then fails), the Hann window 2 % below.
   */
  @Test
  void aConstantImageThreeTilesWideGivesAMapWithoutSeams() {
    int side = 3 * SIZE;
    float[] flat = new float[side * side];
    Arrays.fill(flat, 0.1f);
    EngineConfig cfg = EngineConfig.builder().tStar(100).steps(5).tileSize(SIZE).map(MapKind.L1)
        .smoothSigma(0.0).reduction(ScoreReduction.MAX).build();
    AnomalyEngine engine = new AnomalyEngine(model, cfg);
    AnomalyEngine.ScoreResult r = engine.score(flat, 1, side, side, "flat");
    TilePlan plan = engine.tiler().plan(side, side);
    boolean[] seam = new boolean[side];
    for (int s : plan.rowStarts()) {
      for (int b : new int[] {s, s + SIZE - 1}) {
        for (int d = -1; d <= 1; d++) {
          if (b > 2 && b < side - 3 && b + d >= 0 && b + d < side) {
            seam[b + d] = true;
          }
        }
      }
    }
    double seamSum = 0;
    double innerSum = 0;
    int seamCount = 0;
    int innerCount = 0;
    int border = 4;
    for (int y = border; y < side - border; y++) {
      for (int x = border; x < side - border; x++) {
        double v = r.map()[y * side + x];
        if (seam[y] || seam[x]) {
          seamSum += v;
          seamCount++;
        } else {
          innerSum += v;
          innerCount++;
        }
      }
    }
    double seamMean = seamSum / seamCount;
    double innerMean = innerSum / innerCount;
    System.out.printf("seams: mean error %.5f near tile edges, %.5f inside tiles (%s)%n",
        seamMean, innerMean, plan);
    assertThat(plan.count()).isEqualTo(16);
    assertThat(seamMean).isCloseTo(innerMean, within(0.04 * innerMean));
  }

  @Test
  void batchedScoringEqualsOneByOneScoringAlsoWithStochasticSteps() {
    // eta = 1: every DDIM step draws noise, which must be keyed by tile, not by batch position
    EngineConfig cfg = EngineConfig.builder().tStar(100).steps(3).eta(1.0).seed(3L).batchSize(4)
        .map(MapKind.L1).smoothSigma(1.0).reduction(ScoreReduction.TOP_K).build();
    AnomalyEngine engine = new AnomalyEngine(model, cfg);
    SplittableRandom rng = new SplittableRandom(8);
    List<AnomalyEngine.ImageInput> inputs = List.of(
        new AnomalyEngine.ImageInput("a", EngineFixtures.texture(SIZE, rng), 1, SIZE, SIZE),
        new AnomalyEngine.ImageInput("b", crop(EngineFixtures.texture(48, rng), 48, 40, 45), 1,
            40, 45),
        new AnomalyEngine.ImageInput("c", crop(EngineFixtures.texture(SIZE, rng), SIZE, 20, 20), 1,
            20, 20));
    List<AnomalyEngine.ScoreResult> together = engine.scoreAll(inputs);
    for (int i = 0; i < inputs.size(); i++) {
      AnomalyEngine.ImageInput in = inputs.get(i);
      AnomalyEngine.ScoreResult alone =
          engine.score(in.planar(), 1, in.height(), in.width(), in.id());
      assertThat(together.get(i).score()).isCloseTo(alone.score(), within(1e-5));
      assertThat(maxAbsDiff(together.get(i).map(), alone.map())).isLessThan(1e-5);
      assertThat(maxAbsDiff(together.get(i).reconstruction(), alone.reconstruction()))
          .isLessThan(1e-5);
      assertThat(alone.map()).hasSize(in.height() * in.width());
    }
    // and a different id draws different noise
    AnomalyEngine.ImageInput a = inputs.get(0);
    assertThat(maxAbsDiff(engine.score(a.planar(), 1, SIZE, SIZE, "a2").reconstruction(),
        together.get(0).reconstruction())).isGreaterThan(1e-3);
  }

  @Test
  void twoSeedsAverageTheTwoSingleSeedReconstructions() {
    float[] img = EngineFixtures.texture(SIZE, new SplittableRandom(4));
    AnomalyEngine.ScoreResult s5 = new AnomalyEngine(model, seeds(1, 5))
        .score(img, 1, SIZE, SIZE, "x");
    AnomalyEngine.ScoreResult s6 = new AnomalyEngine(model, seeds(1, 6))
        .score(img, 1, SIZE, SIZE, "x");
    AnomalyEngine.ScoreResult both = new AnomalyEngine(model, seeds(2, 5))
        .score(img, 1, SIZE, SIZE, "x");
    assertThat(maxAbsDiff(s5.reconstruction(), s6.reconstruction())).isGreaterThan(1e-3);
    float[] mean = new float[img.length];
    for (int i = 0; i < mean.length; i++) {
      mean[i] = (s5.reconstruction()[i] + s6.reconstruction()[i]) / 2;
    }
    assertThat(maxAbsDiff(both.reconstruction(), mean)).isLessThan(1e-5);
  }

  private static EngineConfig seeds(int seeds, long seed) {
    return EngineConfig.builder().tStar(150).steps(3).seeds(seeds).seed((long) seed)
        .map(MapKind.L1).smoothSigma(1.0).reduction(ScoreReduction.MAX).build();
  }

  @Test
  void guidanceWithZeroWeightLeavesTheNetworkOutputUnchanged() {
    Reconstructor rec = new Reconstructor(model, detection());
    try (NDManager m = model.manager().newSubManager()) {
      NDArray x = m.randomNormal(new Shape(2, 1, SIZE, SIZE));
      NDArray y = m.randomUniform(-1f, 1f, new Shape(2, 1, SIZE, SIZE));
      NDArray t = m.full(new Shape(2), 120f);
      NetworkFn plain = model.networkFn();
      float[] expected = plain.apply(x, t, null).toFloatArray();
      float[] guided = rec.guided(plain, y, 0.0).apply(x, t, null).toFloatArray();
      assertThat(maxAbsDiff(guided, expected)).isLessThan(1e-5);
    }
  }

  @Test
  void guidanceFollowsDdadsFormula() {
    // With a network that predicts eps = 0: y_t = sqrt(abar) y, eps_hat = -sqrt(1-abar) w (y_t - x).
    Reconstructor rec = new Reconstructor(model, detection());
    double ab = rec.schedule().alphaBar(200);
    double w = 2.0;
    try (NDManager m = model.manager().newSubManager()) {
      NDArray x = m.full(new Shape(1, 1, 4, 4), 0.3f);
      NDArray y = m.full(new Shape(1, 1, 4, 4), -0.5f);
      NDArray t = m.full(new Shape(1), 200f);
      NetworkFn zero = (xx, tt, ll) -> xx.zerosLike();
      float[] out = rec.guided(zero, y, w).apply(x, t, null).toFloatArray();
      double expected = -Math.sqrt(1 - ab) * w * (Math.sqrt(ab) * -0.5 - 0.3);
      for (float v : out) {
        assertThat((double) v).isCloseTo(expected, within(1e-6));
      }
    }
  }

  @Test
  void guidancePullsTheReconstructionTowardTheInput() {
    SplittableRandom rng = new SplittableRandom(12);
    float[] img = EngineFixtures.texture(SIZE, rng);
    EngineFixtures.pasteDefect(img, SIZE, rng);
    EngineConfig free = EngineConfig.builder().tStar(250).steps(5).map(MapKind.L1)
        .smoothSigma(0.0).reduction(ScoreReduction.MEAN).build();
    EngineConfig guided = EngineConfig.builder().tStar(250).steps(5).guidance(2.0).map(MapKind.L1)
        .smoothSigma(0.0).reduction(ScoreReduction.MEAN).build();
    double freeError = new AnomalyEngine(model, free).score(img, 1, SIZE, SIZE, "g").score();
    double guidedError = new AnomalyEngine(model, guided).score(img, 1, SIZE, SIZE, "g").score();
    assertThat(guidedError).isLessThan(freeError);
  }

  @Test
  void theOneStepPathEqualsASingleStepRun() {
    float[] img = EngineFixtures.texture(SIZE, new SplittableRandom(1));
    long[] keys = {Reconstructor.tileKey("one", 0)};
    Reconstructor multiStep = new Reconstructor(model, detection());
    Reconstructor oneStep = new Reconstructor(model, EngineConfig.builder().tStar(DETECT_T_STAR)
        .steps(1).map(MapKind.L1).smoothSigma(0.0).reduction(ScoreReduction.MAX).build());
    float[] a = multiStep.reconstructOneStep(new float[][] {img}, keys, SIZE, SIZE).tiles()[0];
    float[] b = oneStep.reconstruct(new float[][] {img}, keys, SIZE, SIZE).tiles()[0];
    assertThat(maxAbsDiff(a, b)).isLessThan(1e-6);
    float[] c = multiStep.reconstruct(new float[][] {img}, keys, SIZE, SIZE).tiles()[0];
    assertThat(maxAbsDiff(a, c)).isGreaterThan(1e-4);
  }

  @Test
  void nativeMemoryStaysFlatOverManyImages() {
    EngineConfig cfg = EngineConfig.builder().tStar(100).steps(2).eta(1.0).guidance(1.0).seeds(2)
        .batchSize(3).map(MapKind.MIX).smoothSigma(1.0).reduction(ScoreReduction.MAX).build();
    AnomalyEngine engine = new AnomalyEngine(model, cfg);
    SplittableRandom rng = new SplittableRandom(77);
    for (int i = 0; i < 5; i++) {
      engine.score(EngineFixtures.texture(SIZE, rng), 1, SIZE, SIZE, "m" + i);
    }
    int afterFive = model.manager().getManagedArrays().size();
    for (int i = 5; i < 50; i++) {
      engine.score(EngineFixtures.texture(SIZE, rng), 1, SIZE, SIZE, "m" + i);
    }
    assertThat(model.manager().getManagedArrays()).hasSize(afterFive);
  }

  @Test
  void wrongChannelCountsAndSeriesOnAnImageModelAreRefused() {
    AnomalyEngine engine = new AnomalyEngine(model, detection());
    assertThatThrownBy(() -> engine.score(new float[3 * 16 * 16], 3, 16, 16, "rgb"))
        .hasMessageContaining("rgb")
        .hasMessageContaining("3 channels");
    assertThatThrownBy(() -> engine.scoreSeries(new float[64], 1, 64, "s"))
        .hasMessageContaining("image model");
    assertThatThrownBy(() -> new AnomalyEngine(model, EngineConfig.builder().tStar(1000).steps(5)
        .map(MapKind.L1).smoothSigma(0.0).reduction(ScoreReduction.MAX).build()))
        .hasMessageContaining("reconstruction.tStar: must be < T (1000)");
    assertThatThrownBy(() -> new AnomalyEngine(model, EngineConfig.builder().tStar(100).steps(5)
        .tileSize(31).map(MapKind.L1).smoothSigma(0.0).reduction(ScoreReduction.MAX).build()))
        .hasMessageContaining("engine.tileSize");
  }

  private static float[] crop(float[] img, int side, int h, int w) {
    float[] out = new float[h * w];
    for (int y = 0; y < h; y++) {
      System.arraycopy(img, y * side, out, y * w, w);
    }
    return out;
  }

  private static double maxAbsDiff(float[] a, float[] b) {
    assertThat(a).hasSameSizeAs(b);
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }
}
