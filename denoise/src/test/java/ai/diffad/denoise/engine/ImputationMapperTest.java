package ai.diffad.denoise.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.diffad.config.ConfigException;
import ai.diffad.config.DataConfig;
import ai.diffad.config.DataFormat;
import ai.diffad.config.DiffadConfig;
import ai.diffad.config.EngineConfig;
import ai.diffad.config.ImputationConfig;
import ai.diffad.config.MapConfig;
import ai.diffad.config.MapKind;
import ai.diffad.config.MaskKind;
import ai.diffad.config.NetworkConfig;
import ai.diffad.config.NetworkKind;
import ai.diffad.config.PredictionType;
import ai.diffad.config.ScheduleConfig;
import ai.diffad.config.ScheduleKind;
import ai.diffad.config.TrainingConfig;
import ai.diffad.denoise.data.InMemoryTrainingSet;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.train.Trainer;
import ai.djl.Device;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scoring by imputation on a tiny 1-D imputer trained here on sine windows: a row the mask hides is
 * predicted from the others, so a spike on it is not copied and its error is about the spike's
 * size, while rows of a clean sine are imputed closely.
 */
class ImputationMapperTest {
  private static final int WINDOW = 32;

  @TempDir static Path dir;
  private static Path imputer;

  static float[] sine(int length, double phase) {
    float[] x = new float[length];
    for (int i = 0; i < length; i++) {
      x[i] = (float) (0.8 * Math.sin(2 * Math.PI * i / 16.0 + phase));
    }
    return x;
  }

  static DiffadConfig profile(ImputationConfig imputation, int steps) {
    return new DiffadConfig("sine-imputer", ScheduleConfig.of(ScheduleKind.LINEAR, 1000),
        PredictionType.EPSILON,
        new NetworkConfig(NetworkKind.UNET1D, 16, List.of(1, 2), 1, List.of(), 8, 0, 0.0),
        new TrainingConfig(steps, 16, 2e-3, 0.0, Math.min(20, steps), null, 1.0, 0.99, 3L, 0, 100, null, 0, 1000,
            null),
        new DataConfig(DataFormat.SENSOR, 1, WINDOW, null, false, false, 8, null),
        null, null, imputation);
  }

  static InMemoryTrainingSet sines() {
    SplittableRandom rng = new SplittableRandom(1);
    List<InMemoryTrainingSet.Item> items = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      items.add(new InMemoryTrainingSet.Item(sine(96, rng.nextDouble() * 2 * Math.PI), 1, 96, -1));
    }
    return new InMemoryTrainingSet(items, 1, "sines");
  }

  @BeforeAll
  static void train() {
    imputer = Trainer.builder().setConfig(profile(new ImputationConfig(
            List.of(MaskKind.LAST, MaskKind.GRATING), 4, 4, 0.25), 600))
        .setData(sines()).setOutputDir(dir.resolve("imputer")).optProgressBar(false).build()
        .run().artifact();
  }

  private static EngineConfig engine(MapConfig map, int tStar) {
    return EngineConfig.builder().tStar(tStar).steps(5).map(map).smoothSigma(0.0).build();
  }

  private static MapConfig.Imputation map(MaskKind mask, int ensemble) {
    return map(mask, ensemble, null);
  }

  private static MapConfig.Imputation map(MaskKind mask, int ensemble, Boolean sharedNoise) {
    return new MapConfig.Imputation(MapKind.IMPUTATION, mask, 4, 4, 0.25, ensemble, MapKind.L1,
        sharedNoise);
  }

  @Test
  void sharedNoiseScoresTheSameWindowTheSameWhateverItsKeyPerWindowNoiseDoesNot() {
    float[] w = sine(WINDOW, 2.0);
    float[][] twice = {w, w.clone()};
    long[] keys = {Reconstructor.tileKey("s", 0), Reconstructor.tileKey("s", 4)};
    assertThat(map(MaskKind.LAST, 1).sharedNoise()).as("default").isTrue();
    try (LoadedModel model = ModelArtifact.load(imputer, Device.cpu());
        AnomalyEngine shared = new AnomalyEngine(model, engine(map(MaskKind.LAST, 1), 700));
        AnomalyEngine own = new AnomalyEngine(model,
            engine(map(MaskKind.LAST, 1, false), 700))) {
      float[][] s = shared.windowMaps(twice, keys);
      assertThat(s[1]).containsExactly(s[0]);
      float[][] o = own.windowMaps(twice, keys);
      double gap = 0;
      for (int r = WINDOW - 4; r < WINDOW; r++) {
        gap += Math.abs(o[1][r] - o[0][r]);
      }
      // Different start noise at t* = 700 (sqrt(1 - abar) = 0.99 of it): the imputations differ.
      assertThat(gap).isGreaterThan(1e-3);
      // A per-window engine given the shared key for a window draws the shared noise exactly.
      float[][] k0 = own.windowMaps(twice, new long[] {ImputationMapper.SHARED_KEY, 1L});
      assertThat(k0[0]).containsExactly(s[0]);
    }
  }

  @Test
  void aSpikeOnAHiddenRowIsNotCopiedItsErrorIsAboutTheSpike() {
    try (LoadedModel model = ModelArtifact.load(imputer, Device.cpu());
        AnomalyEngine engine = new AnomalyEngine(model, engine(map(MaskKind.LAST, 1), 950))) {
      assertThat(engine.mapper().causalRows()).isEqualTo(4);
      float[] clean = sine(WINDOW, 0.4);
      float[] spiked = clean.clone();
      spiked[WINDOW - 2] += 3f;
      float[][] maps = engine.windowMaps(new float[][] {clean, spiked}, new long[] {5L, 5L});
      float[] c = maps[0];
      float[] s = maps[1];
      for (int r = WINDOW - 4; r < WINDOW; r++) {
        assertThat(c[r]).as("clean hidden row %d", r).isLessThan(0.35f);
      }
      // The same noise and visible rows: the imputation is nearly the same, so the error grows
      // by about the spike (sqrt(abar) at t* = 950 lets < 2 % of it through).
      assertThat(s[WINDOW - 2] - c[WINDOW - 2]).isBetween(2.6f, 3.2f);
      // The visible rows take the mean of the hidden rows' errors.
      double mean = (s[WINDOW - 4] + s[WINDOW - 3] + s[WINDOW - 2] + s[WINDOW - 1]) / 4.0;
      assertThat((double) s[0]).isCloseTo(mean, org.assertj.core.api.Assertions.within(1e-5));
    }
  }

  @Test
  void gratingMasksScoreEveryRowAndFindASpikeAnywhere() {
    try (LoadedModel model = ModelArtifact.load(imputer, Device.cpu());
        AnomalyEngine engine = new AnomalyEngine(model, engine(map(MaskKind.GRATING, 2), 700))) {
      assertThat(engine.mapper().causalRows()).isZero();
      int length = 80;
      float[] series = sine(length, 1.1);
      series[37] -= 2.5f;
      AnomalyEngine.SeriesScoreResult r = engine.scoreSeries(series, 1, length, "s");
      assertThat(AnomalyMaps.argmax(r.perStep())).isEqualTo(37);
      assertThat(r.perStep()[37]).isGreaterThan(2.0f);
      float[] again = engine.scoreSeries(series, 1, length, "s").perStep();
      assertThat(again).containsExactly(r.perStep());
    }
  }

  @Test
  void imputationAndPlainMapsEachRefuseTheOtherKindOfModel() {
    Path plain = Trainer.builder().setConfig(profile(null, 2)).setData(sines())
        .setOutputDir(dir.resolve("plain")).optProgressBar(false).build().run().artifact();
    try (LoadedModel model = ModelArtifact.load(plain, Device.cpu())) {
      assertThatThrownBy(() -> new AnomalyEngine(model, engine(map(MaskKind.LAST, 1), 500)))
          .isInstanceOf(ConfigException.class).hasMessageContaining("map")
          .hasMessageContaining("imputation needs a model trained with an imputation section");
    }
    try (LoadedModel model = ModelArtifact.load(imputer, Device.cpu())) {
      assertThatThrownBy(() -> new AnomalyEngine(model, engine(MapConfig.of(MapKind.L1), 500)))
          .isInstanceOf(ConfigException.class).hasMessageContaining("is an imputer");
      assertThatThrownBy(() -> new AnomalyEngine(model, engine(map(MaskKind.LAST, 6), 500)))
          .isInstanceOf(ConfigException.class).hasMessageContaining("map.ensemble");
      MapConfig.Imputation tooLong =
          new MapConfig.Imputation(MapKind.IMPUTATION, MaskKind.LAST, WINDOW, 4, 0.25, 1, null,
              null);
      assertThatThrownBy(() -> new AnomalyEngine(model, engine(tooLong, 500)))
          .isInstanceOf(ConfigException.class).hasMessageContaining("lastRows");
    }
    assertThatThrownBy(() -> new DiffadConfig("x", null, null,
        new NetworkConfig(NetworkKind.UNET2D, 8, List.of(1), 1, List.of(), 4, 0, 0.0), null,
        new DataConfig(DataFormat.IMAGES, 1, 16, null, false, false, null, null), null, null,
        ImputationConfig.defaults())).isInstanceOf(ConfigException.class)
        .hasMessageContaining("imputation");
  }
}
