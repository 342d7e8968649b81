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
import ai.diffad.config.SeriesContext;
import ai.diffad.config.TrainingConfig;
import ai.diffad.denoise.data.InMemoryTrainingSet;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.train.Trainer;
import ai.diffad.model.train.TrainingSet;
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
    return profile(imputation, steps, 1);
  }

  static DiffadConfig profile(ImputationConfig imputation, int steps, int channels) {
    return new DiffadConfig("sine-imputer", ScheduleConfig.of(ScheduleKind.LINEAR, 1000),
        PredictionType.EPSILON,
        new NetworkConfig(NetworkKind.UNET1D, 16, List.of(1, 2), 1, List.of(), 8, 0, 0.0),
        new TrainingConfig(steps, 16, 2e-3, 0.0, Math.min(20, steps), null, 1.0, 0.99, 3L, 0, 100, null, 0, 1000,
            null),
        new DataConfig(DataFormat.SENSOR, channels, WINDOW, null, false, false, 8, null),
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

  /** Two sensors in opposition: channel 1 is minus channel 0, each a sine of random phase. */
  static InMemoryTrainingSet opposedSines() {
    SplittableRandom rng = new SplittableRandom(2);
    List<InMemoryTrainingSet.Item> items = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      float[] a = sine(96, rng.nextDouble() * 2 * Math.PI);
      float[] both = new float[2 * 96];
      for (int r = 0; r < 96; r++) {
        both[r] = a[r];
        both[96 + r] = -a[r];
      }
      items.add(new InMemoryTrainingSet.Item(both, 1, 96, -1));
    }
    return new InMemoryTrainingSet(items, 2, "opposed sines");
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

  @Test
  void sensorMasksImputeASensorFromTheOthersSoABrokenRelationScoresHigh() {
    Path sensorModel = Trainer.builder().setConfig(profile(new ImputationConfig(
            List.of(MaskKind.SENSOR), 4, 4, 0.25), 600, 2)).setData(opposedSines())
        .setOutputDir(dir.resolve("sensor")).optProgressBar(false).build().run().artifact();
    // Normal: channel 1 = -channel 0. Broken: channel 1 a quarter period ahead of -channel 0, so
    // each sensor alone is still a clean sine; only their relation is wrong.
    float[] a = sine(WINDOW, 0.7);
    float[] shifted = sine(WINDOW, 0.7 + Math.PI / 2);
    float[] normal = new float[2 * WINDOW];
    float[] broken = new float[2 * WINDOW];
    for (int r = 0; r < WINDOW; r++) {
      normal[r] = a[r];
      broken[r] = a[r];
      normal[WINDOW + r] = -a[r];
      broken[WINDOW + r] = -shifted[r];
    }
    MapConfig.Imputation sensor = map(MaskKind.SENSOR, 1);
    try (LoadedModel model = ModelArtifact.load(sensorModel, Device.cpu());
        AnomalyEngine engine = new AnomalyEngine(model, engine(sensor, 700))) {
      assertThat(model.manifest().config().denoiserInChannels()).as("3C inputs").isEqualTo(6);
      float[][] maps = engine.windowMaps(new float[][] {normal, broken}, new long[] {3L, 3L});
      double normalMean = 0;
      double brokenMean = 0;
      for (int r = 0; r < WINDOW; r++) {
        normalMean += maps[0][r] / WINDOW;
        brokenMean += maps[1][r] / WINDOW;
      }
      // Each sensor of the broken window, imputed from the other, is off by about the gap between
      // the two sines (mean |sin(x + pi/2) - sin(x)| * 0.8 = 0.72); the normal one is imputed
      // from its opposite closely.
      assertThat(normalMean).isLessThan(0.2);
      assertThat(brokenMean).isGreaterThan(0.45).isGreaterThan(3 * normalMean);
      // Row masks on this model: each row hidden on both sensors, the same map layout.
      try (AnomalyEngine rows = new AnomalyEngine(model, engine(map(MaskKind.GRATING, 1), 700))) {
        assertThat(rows.windowMaps(new float[][] {normal}, new long[] {3L})[0]).hasSize(WINDOW);
      }
    }
    // A model trained with row masks has one mask channel: it cannot be scored with sensor masks.
    try (LoadedModel model = ModelArtifact.load(imputer, Device.cpu())) {
      assertThatThrownBy(() -> new AnomalyEngine(model, engine(sensor, 700)))
          .isInstanceOf(ConfigException.class).hasMessageContaining("map")
          .hasMessageContaining("trained with sensor masks");
    }
    assertThatThrownBy(() -> profile(new ImputationConfig(List.of(MaskKind.SENSOR), 4, 4, 0.25),
        2, 1)).isInstanceOf(ConfigException.class).hasMessageContaining("imputation.masks")
        .hasMessageContaining("at least 2 value channels");
  }

  /** Unit statistics, as a NAB training set stores (each series normalised on its own). */
  private static TrainingSet unitStats(InMemoryTrainingSet set) {
    return new TrainingSet() {
      @Override public int size() {
        return set.size();
      }

      @Override public int channels() {
        return set.channels();
      }

      @Override public int height(int i) {
        return set.height(i);
      }

      @Override public int width(int i) {
        return set.width(i);
      }

      @Override public float[] item(int i) {
        return set.item(i);
      }

      @Override public double[] channelMean() {
        return new double[set.channels()];
      }

      @Override public double[] channelStd() {
        double[] one = new double[set.channels()];
        java.util.Arrays.fill(one, 1.0);
        return one;
      }

      @Override public String description() {
        return set.description();
      }
    };
  }

  @Test
  void aContextChannelIsSeenNeverHiddenAndScoredThroughEveryPath() throws Exception {
    // Values that their own past cannot predict (independent draws), with a context channel
    // equal to them: the hidden last rows can only come from the context.
    SplittableRandom rng = new SplittableRandom(6);
    List<InMemoryTrainingSet.Item> items = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      float[] both = new float[2 * 96];
      for (int r = 0; r < 96; r++) {
        both[r] = (float) (0.8 * rng.nextGaussian());
        both[96 + r] = both[r];
      }
      items.add(new InMemoryTrainingSet.Item(both, 1, 96, -1));
    }
    DiffadConfig cfg = new DiffadConfig("context-imputer", ScheduleConfig.of(ScheduleKind.LINEAR,
        1000), PredictionType.EPSILON,
        new NetworkConfig(NetworkKind.UNET1D, 16, List.of(1, 2), 1, List.of(), 8, 0, 0.0),
        new TrainingConfig(600, 16, 2e-3, 0.0, 20, null, 1.0, 0.99, 3L, 0, 100, null, 0, 1000,
            null),
        new DataConfig(DataFormat.NAB, null, WINDOW, null, false, false, 8, null, null,
            SeriesContext.DAILY),
        null, null, new ImputationConfig(List.of(MaskKind.LAST), 4, 4, 0.25));
    assertThat(cfg.denoiserInChannels()).as("2 noised, 2 clean, 2 mask").isEqualTo(6);
    Path model = Trainer.builder().setConfig(cfg)
        .setData(unitStats(new InMemoryTrainingSet(items, 2, "draws and their context")))
        .setOutputDir(dir.resolve("context")).optProgressBar(false).build().run().artifact();
    float[] normal = new float[2 * WINDOW];
    for (int r = 0; r < WINDOW; r++) {
      normal[r] = (float) (0.8 * rng.nextGaussian());
      normal[WINDOW + r] = normal[r];
    }
    float[] broken = normal.clone();
    for (int r = WINDOW - 4; r < WINDOW; r++) {
      broken[r] = -normal[WINDOW + r] + (normal[WINDOW + r] >= 0 ? -0.5f : 0.5f);
    }
    MapConfig.Imputation last = new MapConfig.Imputation(MapKind.IMPUTATION, MaskKind.LAST, 4, 4,
        0.25, 1, MapKind.L1, true);
    try (LoadedModel m = ModelArtifact.load(model, Device.cpu());
        AnomalyEngine engine = new AnomalyEngine(m, engine(last, 700))) {
      float[][] maps = engine.windowMaps(new float[][] {normal, broken}, new long[] {3L, 3L});
      double normalErr = 0;
      double brokenErr = 0;
      double gap = 0;
      for (int r = WINDOW - 4; r < WINDOW; r++) {
        normalErr += maps[0][r] / 4;
        brokenErr += maps[1][r] / 4;
        gap += Math.abs(broken[r] - normal[r]) / 4;
      }
      // Imputed from its own past alone, an independent draw is off by E|x| = 0.64 on average;
      // from the context, closely. A value that leaves its context is off by about the gap.
      assertThat(normalErr).isLessThan(0.3);
      assertThat(brokenErr).isGreaterThan(0.6 * gap).isGreaterThan(3 * normalErr);
    }

    // Through score: a timestamp,value file gets its context from the timestamps (hourly: 24
    // rows a day), and equals the same file with the context given as a second column; a value
    // column without timestamps is rejected with the reason, and nothing else is lost.
    Path in = java.nio.file.Files.createDirectories(dir.resolve("context-in"));
    int n = 120;
    float[] values = new float[n];
    StringBuilder stamped = new StringBuilder("timestamp,value\n");
    StringBuilder bare = new StringBuilder("value\n");
    java.time.LocalDateTime t0 = java.time.LocalDateTime.of(2016, 5, 1, 0, 0);
    for (int r = 0; r < n; r++) {
      values[r] = (float) Math.sin(2 * Math.PI * r / 24) + (r == 100 ? 3f : 0f);
      stamped.append(t0.plusHours(r).toString().replace('T', ' ')).append(":00,")
          .append(values[r]).append('\n');
      bare.append(values[r]).append('\n');
    }
    float[] withContext = ai.diffad.denoise.io.DailyContext.append(values, 1, n, 24);
    StringBuilder given = new StringBuilder("value,context\n");
    for (int r = 0; r < n; r++) {
      given.append(withContext[r]).append(',').append(withContext[n + r]).append('\n');
    }
    java.nio.file.Files.writeString(in.resolve("a-stamped.csv"), stamped);
    java.nio.file.Files.writeString(in.resolve("b-given.csv"), given);
    java.nio.file.Files.writeString(in.resolve("c-bare.csv"), bare);
    List<ai.diffad.denoise.run.Outcome> outcomes = new ArrayList<>();
    try (LoadedModel m = ModelArtifact.load(model, Device.cpu())) {
      ai.diffad.denoise.run.RunSummary summary = new ai.diffad.denoise.run.ScoreRun(m,
          engine(last, 700), null, dir.resolve("context-out"), false)
          .run(ai.diffad.denoise.run.InputFiles.expand(List.of(in)), null, outcomes::add);
      assertThat(summary.processed()).isEqualTo(2);
      assertThat(summary.rejected()).isEqualTo(1);
    }
    assertThat(outcomes).hasSize(3);
    ai.diffad.denoise.record.ScoreRecord a = null;
    ai.diffad.denoise.record.ScoreRecord b = null;
    for (ai.diffad.denoise.run.Outcome o : outcomes) {
      if (o instanceof ai.diffad.denoise.run.Outcome.Scored sc) {
        if (sc.record().id().contains("a-stamped")) {
          a = sc.record();
        } else {
          b = sc.record();
        }
      } else if (o instanceof ai.diffad.denoise.run.Outcome.Rejected rj) {
        assertThat(rj.rejection().id()).contains("c-bare");
        assertThat(rj.rejection().reason())
            .isEqualTo(ai.diffad.denoise.record.RejectReason.UNSUPPORTED_SHAPE);
        assertThat(rj.rejection().detail()).contains("add a timestamp column");
      }
    }
    assertThat(a).isNotNull();
    assertThat(b).isNotNull();
    assertThat(a.score()).isPositive().isEqualTo(b.score());
    assertThat(a.windowScores()).containsExactly(b.windowScores());
  }
}
