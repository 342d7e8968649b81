package ai.diffad.evaluation.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.diffad.config.DataConfig;
import ai.diffad.config.DataFormat;
import ai.diffad.config.DiffadConfig;
import ai.diffad.config.EngineConfig;
import ai.diffad.config.MapKind;
import ai.diffad.config.NetworkConfig;
import ai.diffad.config.NetworkKind;
import ai.diffad.config.PredictionType;
import ai.diffad.config.SamplerKind;
import ai.diffad.config.ScheduleConfig;
import ai.diffad.config.ScheduleKind;
import ai.diffad.config.ScoreReduction;
import ai.diffad.config.TrainingConfig;
import ai.diffad.denoise.data.TrainingSets;
import ai.diffad.denoise.io.Images;
import ai.diffad.evaluation.data.MvtecDataset;
import ai.diffad.evaluation.report.ScoresCsv;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.train.Trainer;
import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An MVTec-layout category built here: flat gray tiles with mild noise; defects are bright disks
 * ("spot") or dark bars ("bar") with masks. A barely trained model is enough to check the wiring;
 * the z-score baseline, whose answer is known on aligned flat images, checks the metrics path.
 */
class MvtecEvaluationTest {
  static final int SIZE = 16;
  static final int TRAIN = 40;

  @TempDir static Path tmp;
  static Path category;
  static Path modelDir;

  @BeforeAll
  static void buildCategoryAndModel() throws IOException {
    category = tmp.resolve("tiles");
    SplittableRandom rng = new SplittableRandom(42);
    for (int i = 0; i < TRAIN; i++) {
      png(category.resolve(String.format("train/good/%03d.png", i)), flat(rng));
    }
    for (int i = 0; i < 6; i++) {
      png(category.resolve(String.format("test/good/g%d.png", i)), flat(rng));
      for (String type : List.of("spot", "bar")) {
        float[] img = flat(rng);
        boolean[] mask = new boolean[SIZE * SIZE];
        int cy = 4 + rng.nextInt(8);
        int cx = 4 + rng.nextInt(8);
        for (int y = 0; y < SIZE; y++) {
          for (int x = 0; x < SIZE; x++) {
            boolean in = type.equals("spot")
                ? (y - cy) * (y - cy) + (x - cx) * (x - cx) <= 4
                : y == cy && Math.abs(x - cx) <= 3;
            if (in) {
              mask[y * SIZE + x] = true;
              img[y * SIZE + x] = type.equals("spot") ? 0.9f : -0.9f;
            }
          }
        }
        png(category.resolve(String.format("test/%s/%s%d.png", type, type, i)), img);
        float[] m = new float[SIZE * SIZE];
        for (int k = 0; k < m.length; k++) {
          m[k] = mask[k] ? 1f : -1f;
        }
        png(category.resolve(String.format("ground_truth/%s/%s%d_mask.png", type, type, i)), m);
      }
    }
    modelDir = tmp.resolve("model");
    DiffadConfig config = new DiffadConfig("tiles", ScheduleConfig.of(ScheduleKind.LINEAR, 1000),
        PredictionType.EPSILON,
        new NetworkConfig(NetworkKind.UNET2D, 8, List.of(1, 2), 1, List.of(), 4, 0, 0.0),
        new TrainingConfig(10, 4, 1e-3, 0.0, 2, null, 1.0, 0.9, 3L, 0, 5, null, 0, 400, null),
        new DataConfig(DataFormat.MVTEC, 1, SIZE, null, false, false, null, null, 0.1));
    Trainer.builder()
        .setConfig(config)
        .setData(TrainingSets.open(config.data(), category))
        .setOutputDir(modelDir)
        .optProgressBar(false)
        .build()
        .run();
  }

  private static float[] flat(SplittableRandom rng) {
    float[] img = new float[SIZE * SIZE];
    for (int i = 0; i < img.length; i++) {
      img[i] = (float) (-0.2 + 0.03 * rng.nextGaussian());
    }
    return img;
  }

  private static void png(Path file, float[] data) throws IOException {
    Images.writePng(file, data, 1, SIZE, SIZE, 8);
  }

  private static EngineConfig engine() {
    return EngineConfig.builder().tStar(100).sampler(SamplerKind.DDIM).steps(2).seed(7L)
        .map(MapKind.L1).smoothSigma(1.0).reduction(ScoreReduction.MAX).build();
  }

  @Test
  void thresholdsComeFromTheHeldOutImagesOnlyAndTheBaselineFindsAlignedDefects() throws IOException {
    MvtecDataset data = MvtecDataset.open(category);
    MvtecEvaluation.Result r;
    MvtecEvaluation.Options options = new MvtecEvaluation.Options(1, 0.99, SIZE, 0.0);
    Path report = tmp.resolve("report");
    try (LoadedModel model = ModelArtifact.load(modelDir, Device.cpu())) {
      r = new MvtecEvaluation(model, engine(), options).run(data, null);
      MvtecReport.write(report, r, model.manifest(), engine(), options, category);
    }
    // data.holdout 0.1 over 40 sorted files: 009, 019, 029, 039 were never trained on.
    assertThat(r.heldOut()).isEqualTo(4);
    assertThat(r.trainedOn()).isEqualTo(36);
    assertThat(r.items()).hasSize(18);
    boolean[] labels = r.labels();
    for (MvtecEvaluation.MethodResult m : r.methods()) {
      assertThat(m.scores()).hasSize(18);
      assertThat(Arrays.stream(m.scores()).allMatch(Double::isFinite)).isTrue();
      assertThat(m.heldOutScores()).hasSize(4);
      // the 0.99 quantile of 4 scores lies between the two largest (linear interpolation)
      double[] held = m.heldOutScores().clone();
      Arrays.sort(held);
      assertThat(m.threshold()).isBetween(held[2], held[3]);
      int tp = 0;
      int fp = 0;
      for (int i = 0; i < labels.length; i++) {
        if (m.scores()[i] >= m.threshold()) {
          tp += labels[i] ? 1 : 0;
          fp += labels[i] ? 0 : 1;
        }
      }
      assertThat(m.atThreshold().tp()).isEqualTo(tp);
      assertThat(m.atThreshold().fp()).isEqualTo(fp);
      assertThat(m.atThreshold().tp() + m.atThreshold().fn()).isEqualTo(12);
      assertThat(m.perDefectAuroc()).containsOnlyKeys("bar", "spot");
      assertThat(m.maps().get(0)).hasSize(SIZE * SIZE);
    }
    MvtecEvaluation.MethodResult base = r.methods().get(1);
    assertThat(base.name()).isEqualTo("z-score baseline");
    // Disks at +0.9 and bars at -0.9 on a -0.2 +- 0.03 background are > 20 sigma away: perfect.
    assertThat(base.summary().auroc()).isEqualTo(1.0);
    assertThat(base.perDefectAuroc().values()).containsOnly(1.0);
    assertThat(base.pixelAuroc()).isGreaterThan(0.99);
    assertThat(base.aupro()).isGreaterThan(0.9);
    assertThat(base.atThreshold().recall()).isEqualTo(1.0);

    // The files: one csv row per test image with both scores, the json keys, the html's pictures.
    ScoresCsv.Table csv = ScoresCsv.read(report.resolve(MvtecReport.CSV));
    assertThat(csv.extraColumns()).containsExactly("baseline_score");
    assertThat(csv.rows()).hasSize(18);
    for (int i = 0; i < 18; i++) {
      ScoresCsv.Row row = csv.rows().get(i);
      assertThat(row.path()).isEqualTo(category.relativize(r.items().get(i).image()).toString());
      assertThat(row.anomalous()).isEqualTo(labels[i]);
      assertThat(row.score()).isEqualTo(r.diffad().scores()[i]);
      assertThat(row.extra()[0]).isEqualTo(base.scores()[i]);
    }
    JsonNode json = new ObjectMapper().readTree(report.resolve(MvtecReport.JSON).toFile());
    assertThat(json.get("image_auroc").asDouble()).isEqualTo(r.diffad().summary().auroc());
    assertThat(json.get("baselines").get("zscore").get("image_auroc").asDouble()).isEqualTo(1.0);
    assertThat(json.get("per_defect_auroc").has("spot")).isTrue();
    assertThat(json.get("threshold").get("source").asText()).contains("held-out");
    assertThat(json.get("model").get("sha256").asText()).hasSize(64);
    for (String key : List.of("pixel_auroc", "aupro", "f1_max", "configuration", "timings")) {
      assertThat(json.has(key)).as(key).isTrue();
    }
    String html = Files.readString(report.resolve(MvtecReport.HTML));
    for (String png : List.of("roc.png", "pr.png", "heatmaps-top-anomalies.png",
        "heatmaps-bottom-anomalies.png", "heatmaps-top-normals.png")) {
      assertThat(html).contains(png);
      assertThat(report.resolve(png)).isRegularFile();
    }
    assertThat(html).contains("oracle");
  }

  @Test
  void everyKthImageAndAModelWithoutHoldOutIsRefused() throws IOException {
    MvtecDataset data = MvtecDataset.open(category);
    try (LoadedModel model = ModelArtifact.load(modelDir, Device.cpu())) {
      MvtecEvaluation.Result r = new MvtecEvaluation(model, engine(),
          new MvtecEvaluation.Options(3, 0.99, SIZE, 0.0)).run(data, null);
      assertThat(r.items()).hasSize(6);
      assertThat(r.items().get(1).image()).isEqualTo(data.test().get(3).image());
    }
    Path noHoldout = tmp.resolve("no-holdout");
    DiffadConfig c = ModelArtifact.readManifest(modelDir).config();
    DiffadConfig all = new DiffadConfig(c.name(), c.schedule(), c.prediction(), c.network(),
        c.training().withSteps(2), new DataConfig(DataFormat.MVTEC, 1, SIZE, null, false, false,
            null, null, 0.0));
    Trainer.builder().setConfig(all).setData(TrainingSets.open(all.data(), category))
        .setOutputDir(noHoldout).optProgressBar(false).build().run();
    try (LoadedModel model = ModelArtifact.load(noHoldout, Device.cpu())) {
      assertThatThrownBy(() -> new MvtecEvaluation(model, engine(),
          MvtecEvaluation.Options.defaults()).run(data, null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("data.holdout");
    }
  }

  @Test
  void syntheticValidationScoresTheHeldOutImagesWithAndWithoutAnomaliesAndReadsNoTestImage()
      throws IOException {
    // only train/good: a validation that touched test/ or ground_truth/ would fail here
    Path trainOnly = tmp.resolve("train-only");
    try (var files = Files.walk(category.resolve("train"))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Path to = trainOnly.resolve(category.relativize(f));
        Files.createDirectories(to.getParent());
        Files.copy(f, to);
      }
    }
    try (LoadedModel model = ModelArtifact.load(modelDir, Device.cpu())) {
      SyntheticValidation.Result a = new SyntheticValidation(model, engine(), 2, 5)
          .run(trainOnly, null);
      // every 10th of 40 train/good images is held out: 4, each scored clean and twice anomalous
      assertThat(a.heldOut()).isEqualTo(4);
      assertThat(a.anomalous()).isEqualTo(8);
      assertThat(a.imageAuroc()).isBetween(0.0, 1.0);
      assertThat(a.pixelAuroc()).isBetween(0.0, 1.0);
      SyntheticValidation.Result b = new SyntheticValidation(model, engine(), 2, 5)
          .run(trainOnly, null);
      assertThat(b.imageAuroc()).isEqualTo(a.imageAuroc());
      assertThat(b.pixelAuroc()).isEqualTo(a.pixelAuroc());
    }
  }
}
