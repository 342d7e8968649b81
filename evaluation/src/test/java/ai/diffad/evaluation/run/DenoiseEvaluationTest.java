package ai.diffad.evaluation.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.diffad.config.DataConfig;
import ai.diffad.config.DataFormat;
import ai.diffad.config.DiffadConfig;
import ai.diffad.config.EngineConfig;
import ai.diffad.config.NetworkConfig;
import ai.diffad.config.NetworkKind;
import ai.diffad.config.PredictionType;
import ai.diffad.config.SamplerKind;
import ai.diffad.config.ScheduleConfig;
import ai.diffad.config.ScheduleKind;
import ai.diffad.config.TrainingConfig;
import ai.diffad.denoise.data.TrainingSets;
import ai.diffad.denoise.io.Images;
import ai.diffad.evaluation.baseline.NlmBaseline;
import ai.diffad.evaluation.data.CleanImageSet;
import ai.diffad.evaluation.data.DenoisingSets;
import ai.diffad.evaluation.report.ScoresCsv;
import ai.diffad.evaluation.run.DenoiseEvaluation.Method;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.train.Trainer;
import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A folder of sets built here: two gray sets of smooth textured images (gradients plus sinusoids)
 * and one colour set, and a small U-Net trained for a few steps on the same kind of images. The
 * model only has to run; the figures checked are the ones known without it: the noisy input's
 * PSNR, recomputed here from the same seed, and NLM's clear gain on smooth images.
 */
class DenoiseEvaluationTest {
  static final long SEED = 7;

  @TempDir static Path tmp;
  static Path root;
  static Path modelDir;

  @BeforeAll
  static void buildSetsAndModel() throws IOException {
    root = tmp.resolve("testsets");
    SplittableRandom rng = new SplittableRandom(3);
    for (int i = 0; i < 3; i++) {
      gray(root.resolve("SetA/a" + i + ".png"), 48, 64, rng);
    }
    for (int i = 0; i < 2; i++) {
      gray(root.resolve("SetB/b" + i + ".png"), 40, 40, rng);
    }
    float[] rgb = new float[3 * 32 * 32];
    for (int k = 0; k < rgb.length; k++) {
      rgb[k] = (k / 1024) * 0.5f - 0.5f;
    }
    Images.writePng(root.resolve("SetRGB/c0.png"), rgb, 3, 32, 32, 8);
    Path train = tmp.resolve("train");
    for (int i = 0; i < 16; i++) {
      gray(train.resolve(String.format("t%02d.png", i)), 32, 32, rng);
    }
    modelDir = tmp.resolve("model");
    DiffadConfig config = new DiffadConfig("smooth-gray", ScheduleConfig.of(ScheduleKind.LINEAR,
        1000), PredictionType.EPSILON,
        new NetworkConfig(NetworkKind.UNET2D, 8, List.of(1, 2), 1, List.of(), 4, 0, 0.0),
        new TrainingConfig(20, 4, 2e-3, 0.0, 2, null, 1.0, 0.9, 5L, 0, 10, null, 0, 200, null),
        new DataConfig(DataFormat.IMAGES, 1, 32, null, true, false, null, null));
    Trainer.builder()
        .setConfig(config)
        .setData(TrainingSets.open(config.data(), train))
        .setOutputDir(modelDir)
        .optProgressBar(false)
        .build()
        .run();
  }

  /** A smooth gray image in about [-0.8, 0.8]: a gradient plus three oriented sinusoids. */
  private static void gray(Path file, int h, int w, SplittableRandom rng) throws IOException {
    double gx = rng.nextDouble(-0.2, 0.2);
    double gy = rng.nextDouble(-0.2, 0.2);
    double[][] waves = new double[3][];
    for (int i = 0; i < 3; i++) {
      double period = rng.nextDouble(12, 40);
      double angle = rng.nextDouble(0, Math.PI);
      waves[i] = new double[] {2 * Math.PI / period * Math.cos(angle),
          2 * Math.PI / period * Math.sin(angle), rng.nextDouble(0, 2 * Math.PI),
          rng.nextDouble(0.1, 0.2)};
    }
    float[] img = new float[h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double v = gx * (2.0 * x / w - 1) + gy * (2.0 * y / h - 1);
        for (double[] k : waves) {
          v += k[3] * Math.sin(k[0] * x + k[1] * y + k[2]);
        }
        img[y * w + x] = (float) v;
      }
    }
    Images.writePng(file, img, 1, h, w, 8);
  }

  private static EngineConfig engine() {
    return EngineConfig.builder().sampler(SamplerKind.DDIM).steps(3).seed(11L).build();
  }

  private static DenoiseEvaluation.Options options(int every) {
    return new DenoiseEvaluation.Options(List.of(15.0, 25.0), List.of(Method.MMSE,
        Method.MMSE_AUTO, Method.SAMPLE), every, SEED, NlmBaseline.defaults());
  }

  /** PSNR on the 0-255 scale, peak 255, written out here. */
  private static double psnr255(float[] clean, float[] test) {
    double se = 0;
    for (int i = 0; i < clean.length; i++) {
      double d = (clean[i] - test[i]) * 127.5;
      se += d * d;
    }
    return 10 * Math.log10(255.0 * 255.0 / (se / clean.length));
  }

  @Test
  void graySetsByDefaultNoisyPsnrFromTheSeedNlmGainsAndTheReportFiles() throws IOException {
    DenoisingSets.Selection sel = DenoisingSets.open(root, 1, List.of());
    assertThat(sel.sets()).containsOnlyKeys("SetA", "SetB");
    assertThat(sel.skipped()).containsExactly("SetRGB");
    DenoiseEvaluation.Options opts = options(2);
    DenoiseEvaluation.Result r;
    Path report = tmp.resolve("report");
    Map<String, Long> phases = new HashMap<>();
    try (LoadedModel model = ModelArtifact.load(modelDir, Device.cpu())) {
      r = new DenoiseEvaluation(model, engine(), opts).run(sel.sets(),
          (phase, done, total) -> phases.merge(phase, 1L, Long::sum));
      DenoiseReport.write(report, r, model.manifest(), engine(), root, sel.rule());
    }
    assertThat(phases).containsOnlyKeys("SetA sigma 15", "SetA sigma 25", "SetB sigma 15",
        "SetB sigma 25");
    assertThat(phases.get("SetA sigma 25")).isEqualTo(3);

    // The noisy input at sigma 25, recomputed from the same seed: unclipped noise of sigma 25 on
    // smooth images well inside the range gives 20 log10(255 / 25) = 20.17 dB.
    CleanImageSet setA = sel.sets().get("SetA");
    double sum = 0;
    for (int i = 0; i < 3; i++) {
      float[] clean = setA.images().get(i).image().data();
      float[] noisy = CleanImageSet.addNoise(clean, 25, 0, false); // another seed: differs
      assertThat(psnr255(clean, noisy)).isCloseTo(20.17, within(0.3));
      sum += psnr255(clean, setA.noisy(i, 25, SEED));
    }
    DenoiseEvaluation.Cell noisy = r.cell("SetA", 25.0, Method.NOISY);
    assertThat(noisy.images()).isEqualTo(3);
    assertThat(noisy.psnr()).isCloseTo(sum / 3, within(1e-4));
    assertThat(noisy.psnr()).isCloseTo(20.17, within(0.3));

    for (String set : List.of("SetA", "SetB")) {
      for (double sigma : List.of(15.0, 25.0)) {
        DenoiseEvaluation.Cell n = r.cell(set, sigma, Method.NOISY);
        DenoiseEvaluation.Cell nlm = r.cell(set, sigma, Method.NLM);
        System.out.printf("%s sigma %.0f: noisy %.2f dB, NLM %.2f, mmse %.2f, auto %.2f"
                + " (sigma est. %.1f), sample %.2f%n", set, sigma, n.psnr(), nlm.psnr(),
            r.cell(set, sigma, Method.MMSE).psnr(), r.cell(set, sigma, Method.MMSE_AUTO).psnr(),
            r.cell(set, sigma, Method.MMSE_AUTO).sigmaUsed(),
            r.cell(set, sigma, Method.SAMPLE).psnr());
        if (sigma == 25.0) {
          assertThat(nlm.psnr() - n.psnr()).as(set + " NLM gain at sigma 25, dB")
              .isGreaterThan(3.0);
          assertThat(nlm.ssim()).isGreaterThan(n.ssim());
        }
        assertThat(r.cell(set, sigma, Method.MMSE).t()).isEqualTo(sigma == 15.0 ? 32 : 56);
        for (Method m : opts.methods()) {
          DenoiseEvaluation.Cell c = r.cell(set, sigma, m);
          assertThat(c.psnr()).as(set + " " + m).isFinite();
          assertThat(c.ssim()).as(set + " " + m).isBetween(-1.0, 1.0);
        }
      }
    }
    // every = 2: sample mode on images 0 and 2 of SetA, 0 of SetB; the others on all.
    assertThat(r.cell("SetA", 25.0, Method.SAMPLE).images()).isEqualTo(2);
    assertThat(r.cell("SetB", 25.0, Method.SAMPLE).images()).isEqualTo(1);
    assertThat(r.cell("SetA", 25.0, Method.MMSE).images()).isEqualTo(3);
    assertThat(r.cell("SetA", 25.0, Method.NLM, true).images()).isEqualTo(2);

    // scores.csv: one row per image x sigma x method that ran.
    ScoresCsv.Table csv = ScoresCsv.read(report.resolve(DenoiseReport.CSV));
    assertThat(csv.extraColumns()).containsExactly("ssim");
    int perSigma = 5 * 4 + 2 + 1; // 5 images x (noisy, nlm, mmse, auto) + sample on 3
    assertThat(csv.rows()).hasSize(2 * perSigma);
    assertThat(Files.readString(report.resolve(DenoiseReport.CSV)))
        .startsWith("path,label,defect,score,ssim\n");
    ScoresCsv.Row first = csv.rows().get(0);
    assertThat(first.path()).isEqualTo("SetA/a0.png");
    assertThat(first.anomalous()).isFalse();
    assertThat(first.defect()).isEqualTo("SetA/sigma15/noisy");
    assertThat(csv.rows().stream().filter(x -> x.defect().equals("SetA/sigma25/nlm"))
        .mapToDouble(ScoresCsv.Row::score).average().orElseThrow())
        .isCloseTo(r.cell("SetA", 25.0, Method.NLM).psnr(), within(1e-9));

    JsonNode json = new ObjectMapper().readTree(report.resolve(DenoiseReport.JSON).toFile());
    JsonNode cell = json.get("sets").get("SetA").get("25");
    for (String m : List.of("noisy", "nlm", "mmse", "mmse_auto", "sample")) {
      for (String key : List.of("psnr", "ssim", "images", "seconds")) {
        assertThat(cell.get(m).has(key)).as(m + "." + key).isTrue();
      }
    }
    assertThat(cell.get("noisy").get("psnr").asDouble()).isEqualTo(noisy.psnr());
    assertThat(cell.get("sample").get("images").asInt()).isEqualTo(2);
    assertThat(cell.get("sample_images").get("mmse").get("images").asInt()).isEqualTo(2);
    assertThat(json.get("model").get("sha256").asText()).hasSize(64);
    assertThat(json.get("model").get("name").asText()).isEqualTo("smooth-gray");
    for (String key : List.of("configuration", "timings", "references")) {
      assertThat(json.has(key)).as(key).isTrue();
    }
    assertThat(json.get("timings").get("nlm").get("images").asInt()).isEqualTo(10);
    assertThat(json.has("target")).as("no BSD68 here").isFalse();

    String html = Files.readString(report.resolve(DenoiseReport.HTML));
    for (String png : List.of("psnr-vs-sigma-seta.png", "ssim-vs-sigma-setb.png",
        "examples-seta.png", "examples-setb.png")) {
      assertThat(html).contains(png);
      assertThat(report.resolve(png)).isRegularFile();
    }
    assertThat(html).contains("PSNR (dB)", "SSIM", "every 2th", "clipped to 0-255");
    // The strip: 2 sigma rows, clean + 5 methods, 48x64 crops with 4-pixel gaps.
    Images.Planar strip = Images.read(report.resolve("examples-seta.png"), 1, 0);
    assertThat(strip.height()).isEqualTo(2 * 48 + 4);
    assertThat(strip.width()).isEqualTo(6 * 64 + 5 * 4);
  }

  @Test
  void aSingleFolderIsOneSetAndNamedSetsAreTakenAsGiven() throws IOException {
    DenoisingSets.Selection one = DenoisingSets.open(root.resolve("SetB"), 1, List.of());
    assertThat(one.sets()).containsOnlyKeys("SetB");
    DenoisingSets.Selection named = DenoisingSets.open(root, 1, List.of("SetB", "SetRGB"));
    assertThat(named.sets().keySet()).containsExactly("SetB", "SetRGB");
    assertThat(named.sets().get("SetRGB").images().get(0).image().channels()).isEqualTo(1);
    assertThatThrownBy(() -> DenoisingSets.open(root, 1, List.of("Set99")))
        .hasMessageContaining("no set 'Set99'").hasMessageContaining("SetA");
  }

  @Test
  void optionsAreChecked() {
    assertThatThrownBy(() -> new DenoiseEvaluation.Options(List.of(0.0), List.of(), 1, 0,
        NlmBaseline.defaults())).hasMessageContaining("sigmas");
    assertThatThrownBy(() -> new DenoiseEvaluation.Options(List.of(25.0), List.of(Method.NLM), 1,
        0, NlmBaseline.defaults())).hasMessageContaining("not a diffad mode");
    assertThatThrownBy(() -> new DenoiseEvaluation.Options(List.of(25.0), List.of(), 0, 0,
        NlmBaseline.defaults())).hasMessageContaining("every");
    assertThat(Method.ofMode("auto")).isEqualTo(Method.MMSE_AUTO);
    assertThatThrownBy(() -> Method.ofMode("bm3d")).hasMessageContaining("allowed");
  }

  @Test
  void nlmReturnsThe8BitGridAndClipsItsInput() {
    float[] img = new float[32 * 32];
    for (int i = 0; i < img.length; i++) {
      img[i] = i % 2 == 0 ? 1.4f : -1.3f; // beyond the range: clipped to 255 and 0
    }
    float[] out = NlmBaseline.defaults().denoise(img, 1, 32, 32, 10);
    for (float v : out) {
      assertThat(v).isBetween(-1f, 1f);
      double k = (v + 1.0) * 127.5;
      assertThat(k).isCloseTo(Math.rint(k), within(1e-3));
    }
    assertThat(NlmBaseline.to8Bit(1.4f)).isEqualTo(255);
    assertThat(NlmBaseline.to8Bit(-1.3f)).isEqualTo(0);
  }
}
