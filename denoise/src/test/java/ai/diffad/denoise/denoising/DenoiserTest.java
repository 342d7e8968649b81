package ai.diffad.denoise.denoising;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.diffad.config.DataConfig;
import ai.diffad.config.DataFormat;
import ai.diffad.config.DenoiseMode;
import ai.diffad.config.DiffadConfig;
import ai.diffad.config.EngineConfig;
import ai.diffad.config.NetworkConfig;
import ai.diffad.config.PredictionType;
import ai.diffad.config.SamplerKind;
import ai.diffad.config.ScheduleConfig;
import ai.diffad.config.ScheduleKind;
import ai.diffad.config.TrainingConfig;
import ai.diffad.denoise.data.InMemoryTrainingSet;
import ai.diffad.model.testutils.TinyDenoiser;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.schedule.NoiseSchedule;
import ai.diffad.model.train.Trainer;
import ai.diffad.model.train.TrainingResult;
import ai.djl.Device;
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
 * Denoising with a real model trained here in a few seconds: epsilon prediction, linear schedule
 * T = 1000, t drawn from [0, 200) as the natural-gray profile does, on smooth textured images.
 * Test images are 80x96, so they are cut into 3 x 4 tiles of 32 that go to the network in batches
 * of 4.
 */
class DenoiserTest {
  private static final int H = 80;
  private static final int W = 96;
  private static final double SIGMA = 25;

  @TempDir static Path tmp;
  private static LoadedModel model;
  private static float[][] clean;
  private static float[][] noisy;

  @BeforeAll
  static void trainTinyModel() {
    DiffadConfig config = new DiffadConfig(
        "tiny-denoiser",
        ScheduleConfig.of(ScheduleKind.LINEAR, 1000),
        PredictionType.EPSILON,
        new NetworkConfig(null, 16, List.of(1), null, null, 8, null, null),
        new TrainingConfig(400, 8, 3e-3, 0.0, 20, null, 1.0, 0.9, 7L, 0, 50, null, 0, 200, null),
        new DataConfig(DataFormat.IMAGES, 1, 32, null, true, false, null, null));
    SplittableRandom rng = new SplittableRandom(1);
    List<InMemoryTrainingSet.Item> items = new ArrayList<>();
    for (int i = 0; i < 48; i++) {
      items.add(new InMemoryTrainingSet.Item(SmoothImages.image(64, 64, rng.split()), 64, 64, -1));
    }
    Path dir = tmp.resolve("model");
    long start = System.nanoTime();
    TrainingResult result = Trainer.builder()
        .setConfig(config)
        .setData(new InMemoryTrainingSet(items, 1, "smooth images"))
        .setOutputDir(dir)
        .optNetworkFactory(TinyDenoiser::deep)
        .optProgressBar(false)
        .build()
        .run();
    System.out.printf("tiny denoiser: 400 steps in %.1f s, last loss %.4f%n",
        (System.nanoTime() - start) / 1e9, result.lastLoss());
    model = ModelArtifact.load(dir, Device.cpu(), TinyDenoiser::deep);
    SplittableRandom test = new SplittableRandom(99);
    clean = new float[2][];
    noisy = new float[2][];
    for (int i = 0; i < 2; i++) {
      clean[i] = SmoothImages.image(H, W, test.split());
      noisy[i] = SmoothImages.addNoise(clean[i], SIGMA, 500 + i);
    }
  }

  @AfterAll
  static void closeModel() {
    if (model != null) {
      model.close();
    }
  }

  private static EngineConfig engine(SamplerKind sampler, long seed) {
    return EngineConfig.builder().sampler(sampler).steps(10).seed(seed).batchSize(4).tileSize(32)
        .build();
  }

  private static Denoiser denoiser(DenoiseMode mode, SamplerKind sampler, long seed) {
    return Denoiser.builder().setModel(model).optMode(mode).optEngine(engine(sampler, seed))
        .build();
  }

  @Test
  void mmseAtSigma25RaisesPsnrByAClearMargin() {
    Denoiser d = denoiser(DenoiseMode.MMSE, SamplerKind.DDIM, 0);
    for (int i = 0; i < clean.length; i++) {
      DenoiseResult r = d.denoise(noisy[i], 1, H, W, SIGMA);
      double before = SmoothImages.psnr(clean[i], noisy[i]);
      double after = SmoothImages.psnr(clean[i], r.image());
      System.out.printf("mmse sigma 25 image %d: PSNR %.2f -> %.2f dB (t=%d)%n",
          i, before, after, r.t());
      assertThat(after - before).as("PSNR gain, dB").isGreaterThan(8.0);
      assertThat(r.unchanged()).isFalse();
      assertThat(r.note()).isEmpty();
      assertThat(r.image()).hasSize(H * W);
      for (float v : r.image()) {
        assertThat(v).isBetween(-1f, 1f);
      }
    }
  }

  /** DiffPIR's mapping on the linear schedule: sigma 15, 25, 50 -> t of about 32, 56, 114. */
  @Test
  void theChosenStepHasTheClosestSigmaEquiv() {
    Denoiser d = denoiser(DenoiseMode.MMSE, SamplerKind.DDIM, 0);
    NoiseSchedule s = d.schedule();
    double[] sigmas = {15, 25, 50};
    int[] expected = {32, 56, 114};
    for (int k = 0; k < sigmas.length; k++) {
      DenoiseResult r = d.denoise(noisy[0], 1, H, W, sigmas[k]);
      assertThat(r.t()).isEqualTo(expected[k]);
      double best = Math.abs(s.sigmaEquiv(r.t()) - sigmas[k]);
      for (int t = 0; t < s.timesteps(); t++) {
        assertThat(Math.abs(s.sigmaEquiv(t) - sigmas[k])).isGreaterThanOrEqualTo(best);
      }
      assertThat(r.sigmaEquiv()).isEqualTo(s.sigmaEquiv(r.t()));
    }
  }

  @Test
  void sampleModeRaisesPsnrAndIdenticalSeedsGiveIdenticalOutputs() {
    DenoiseResult a = denoiser(DenoiseMode.SAMPLE, SamplerKind.DDPM, 5).denoise(noisy[0], 1, H, W,
        SIGMA);
    DenoiseResult b = denoiser(DenoiseMode.SAMPLE, SamplerKind.DDPM, 5).denoise(noisy[0], 1, H, W,
        SIGMA);
    DenoiseResult c = denoiser(DenoiseMode.SAMPLE, SamplerKind.DDPM, 6).denoise(noisy[0], 1, H, W,
        SIGMA);
    assertThat(a.image()).isEqualTo(b.image());
    assertThat(Arrays.equals(a.image(), c.image())).as("another seed, another sample").isFalse();
    double before = SmoothImages.psnr(clean[0], noisy[0]);
    double after = SmoothImages.psnr(clean[0], a.image());
    double mmse = SmoothImages.psnr(clean[0],
        denoiser(DenoiseMode.MMSE, SamplerKind.DDIM, 0).denoise(noisy[0], 1, H, W, SIGMA).image());
    System.out.printf("sample (ddpm, 10 steps) sigma 25: PSNR %.2f -> %.2f dB (mmse %.2f)%n",
        before, after, mmse);
    assertThat(after).isGreaterThan(before + 3.0);
    // A posterior sample carries its own noise: the one-step MMSE estimate has the better PSNR.
    assertThat(mmse).isGreaterThan(after);
  }

  @Test
  void autoSigmaEstimatesTheNoiseAndDenoisesAtIt() {
    DenoiseResult r = denoiser(DenoiseMode.MMSE, SamplerKind.DDIM, 0)
        .denoiseAuto(noisy[1], 1, H, W);
    System.out.printf("auto sigma: estimated %.2f for true %.0f%n", r.sigma(), SIGMA);
    assertThat(r.sigmaEstimated()).isTrue();
    assertThat(r.sigma()).isBetween(SIGMA * 0.85, SIGMA * 1.15);
    assertThat(SmoothImages.psnr(clean[1], r.image()))
        .isGreaterThan(SmoothImages.psnr(clean[1], noisy[1]) + 3.0);
  }

  @Test
  void sigmaBelowTheFirstStepReturnsTheInputUnchangedAndSaysSo() {
    DenoiseResult r = denoiser(DenoiseMode.MMSE, SamplerKind.DDIM, 0)
        .denoise(noisy[0], 1, H, W, 0.5);
    assertThat(r.unchanged()).isTrue();
    assertThat(r.t()).isEqualTo(-1);
    assertThat(r.image()).isEqualTo(noisy[0]).isNotSameAs(noisy[0]);
    assertThat(r.note()).contains("below the noise level of the first step (1.275")
        .contains("unchanged");
  }

  @Test
  void noiseBeyondTheTrainedRangeIsFlagged() {
    DenoiseResult r = denoiser(DenoiseMode.MMSE, SamplerKind.DDIM, 0)
        .denoise(noisy[0], 1, H, W, 120);
    assertThat(r.t()).isGreaterThanOrEqualTo(200);
    assertThat(r.note()).contains("outside the trained range [0, 200)");
  }

  @Test
  void wrongChannelCountsAndMissingModelsAreRefused() {
    Denoiser d = denoiser(DenoiseMode.MMSE, SamplerKind.DDIM, 0);
    assertThatThrownBy(() -> d.denoise(new float[3 * 16 * 16], 3, 16, 16, 25))
        .hasMessageContaining("takes 1-channel images, got 3 channels");
    assertThatThrownBy(() -> d.denoise(new float[10], 1, 16, 16, 25))
        .hasMessageContaining("10 values, expected 1x16x16");
    assertThatThrownBy(() -> Denoiser.builder().build())
        .hasMessageContaining("model must be set");
  }
}
