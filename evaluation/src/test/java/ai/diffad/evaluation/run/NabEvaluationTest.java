package ai.diffad.evaluation.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.diffad.config.ConfigLoader;
import ai.diffad.config.DataConfig;
import ai.diffad.config.DataFormat;
import ai.diffad.config.DiffadConfig;
import ai.diffad.config.EngineConfig;
import ai.diffad.config.NetworkConfig;
import ai.diffad.config.NetworkKind;
import ai.diffad.config.PredictionType;
import ai.diffad.config.ScheduleConfig;
import ai.diffad.config.ScheduleKind;
import ai.diffad.config.TrainingConfig;
import ai.diffad.denoise.data.TrainingSets;
import ai.diffad.evaluation.data.NabDataset;
import ai.diffad.evaluation.data.NabResults;
import ai.diffad.evaluation.metrics.IndexWindow;
import ai.diffad.evaluation.metrics.NabScorer;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.train.Trainer;
import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The NAB runner end to end on a synthetic corpus in the NAB layout: noisy periodic series with
 * injected spikes and level shifts and NAB-style windows around them; a tiny shared model is
 * trained in the test on the probationary parts (data.format nab).
 */
class NabEvaluationTest {
  private static final int ROWS = 1400;
  private static final int WINDOW = 32;
  private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  @TempDir static Path dir;
  static Path corpus;
  static Path model;

  /** The anomalies: series name, kind (0 spike, 1 level shift, 2 no anomaly), row. */
  private static final Object[][] SERIES = {
      {"g1/spike_a.csv", 0, 700}, {"g1/shift_a.csv", 1, 800}, {"g2/spike_b.csv", 0, 1000},
      {"g2/shift_b.csv", 1, 600}, {"g2/quiet.csv", 2, -1}};

  @BeforeAll
  static void corpusAndModel() throws IOException {
    corpus = dir.resolve("nab");
    StringBuilder labels = new StringBuilder("{\n");
    LocalDateTime t0 = LocalDateTime.of(2015, 3, 1, 0, 0);
    for (int s = 0; s < SERIES.length; s++) {
      String key = (String) SERIES[s][0];
      int kind = (int) SERIES[s][1];
      int at = (int) SERIES[s][2];
      SplittableRandom rng = new SplittableRandom(100 + s);
      StringBuilder csv = new StringBuilder("timestamp,value\n");
      for (int i = 0; i < ROWS; i++) {
        double v = 50 + 10 * Math.sin(2 * Math.PI * i / (24.0 + 4 * s)) + rng.nextGaussian();
        if (kind == 0 && i >= at && i < at + 3) {
          v += 45;
        } else if (kind == 1 && i >= at) {
          v += 30;
        }
        csv.append(t0.plusMinutes(5L * i).format(TS)).append(',')
            .append(String.format(java.util.Locale.ROOT, "%.4f", v)).append('\n');
      }
      Path f = corpus.resolve("data").resolve(key);
      Files.createDirectories(f.getParent());
      Files.writeString(f, csv);
      labels.append("  \"").append(key).append("\": [");
      if (at >= 0) {
        int half = ROWS / 20; // NAB: windows of 10 % of the series, centred on the anomaly
        labels.append("[\"").append(t0.plusMinutes(5L * (at - half)).format(TS))
            .append(".000000\", \"").append(t0.plusMinutes(5L * (at + half)).format(TS))
            .append(".000000\"]");
      }
      labels.append(s + 1 < SERIES.length ? "],\n" : "]\n");
    }
    labels.append("}\n");
    Files.createDirectories(corpus.resolve("labels"));
    Files.writeString(corpus.resolve(NabDataset.WINDOWS_FILE), labels);

    DiffadConfig config = new DiffadConfig("nab-test", ScheduleConfig.of(ScheduleKind.LINEAR, 1000),
        PredictionType.EPSILON,
        new NetworkConfig(NetworkKind.UNET1D, 16, List.of(1, 2), 1, List.of(), 8, 0, 0.0),
        new TrainingConfig(250, 16, 2e-3, 0.0, 25, null, 1.0, 0.99, 3L, 0, 50, null, 0, 300,
            null),
        new DataConfig(DataFormat.NAB, 1, WINDOW, null, false, false, 2, null));
    model = Trainer.builder()
        .setConfig(config)
        .setData(TrainingSets.open(config.data(), corpus))
        .setOutputDir(dir.resolve("model"))
        .optProgressBar(false)
        .build()
        .run()
        .artifact();
  }

  private static EngineConfig engine() {
    return ConfigLoader.parse("reconstruction: {tStar: 200, steps: 1, seeds: 1, batchSize: 64}\n"
        + "score: {smoothSigma: 0}\n",
        false, EngineConfig.class);
  }

  private static NabEvaluation.Options options() {
    return new NabEvaluation.Options(NabEvaluation.Scoring.CAUSAL, 2, 8, 4, 600, 100, 0.999,
        4.0 / 3.0);
  }

  @Test
  void theInjectedAnomaliesAreFoundAndBothThresholdsAreReported() throws IOException {
    List<String> phases = new ArrayList<>();
    NabEvaluation.Result r;
    try (LoadedModel m = ModelArtifact.load(model, Device.cpu())) {
      r = NabEvaluation.run(m, engine(), options(), corpus, (p, d, t) -> {
        if (!phases.contains(p)) {
          phases.add(p);
        }
      });
      NabReport.write(dir.resolve("report"), r, m.manifest(), engine(), corpus);
    }
    assertThat(phases).containsExactly("scoring NAB series");
    NabEvaluation.MethodResult d = r.diffad();
    assertThat(d.name()).isEqualTo(NabEvaluation.DIFFAD);
    assertThat(d.series()).hasSize(SERIES.length);
    // NAB protocol (corpus-optimised threshold): the injected anomalies rank first.
    assertThat(d.standard().normalised()).isGreaterThan(30.0);
    assertThat(d.counts(false)[0]).isGreaterThanOrEqualTo(3);
    // the label-free figure is computed from per-series thresholds fixed without labels
    assertThat(d.nabLabelFree()).isFinite();
    for (NabEvaluation.SeriesResult s : d.series()) {
      assertThat(s.labelFreeThreshold()).isFinite();
      assertThat(s.probationRows()).isEqualTo(ROWS * 15 / 100);
    }
    assertThat(d.nabLabelFree()).isLessThanOrEqualTo(d.standard().normalised() + 1e-9);
    // the label-free figure is the standard score of the alarms at those thresholds
    NabScorer scorer = NabScorer.standard();
    List<NabScorer.SeriesScore> free = new ArrayList<>();
    for (NabEvaluation.SeriesResult s : d.series()) {
      free.add(scorer.score(s.alarms(s.labelFreeThreshold(), options().refractory()),
          s.windows()));
    }
    assertThat(scorer.normalised(free)).isCloseTo(d.nabLabelFree(), within(1e-9));
    assertThat(d.pointwiseBestF1Oracle()).isBetween(0.0, 1.0);
    assertThat(d.pointAdjustedBestF1Oracle()).isGreaterThanOrEqualTo(d.pointwiseBestF1Oracle());
    assertThat(r.baseline().name()).isEqualTo(NabEvaluation.BASELINE);
    assertThat(r.fusion().name()).isEqualTo(NabEvaluation.FUSION);

    JsonNode json = new ObjectMapper().readTree(dir.resolve("report/report.json").toFile());
    for (String key : List.of("nab_standard", "nab_standard_threshold", "nab_label_free",
        "pointwise_best_f1_oracle", "point_adjusted_f1")) {
      assertThat(json.has(key)).as(key).isTrue();
    }
    assertThat(json.get("nab_standard").asDouble())
        .isCloseTo(d.standard().normalised(), within(1e-9));
    assertThat(json.get("nab_standard_protocol").asText()).contains("optimised over the corpus");
    assertThat(json.get("point_adjusted_f1_label").asText()).contains("point-adjusted");
    assertThat(json.get("baselines").has(NabEvaluation.BASELINE)).isTrue();
    assertThat(json.get("fusion").has(NabEvaluation.FUSION)).isTrue();
    List<String> csv = Files.readAllLines(dir.resolve("report/scores.csv"));
    assertThat(csv.get(0)).isEqualTo(String.join(",", NabReport.CSV_HEADER));
    assertThat(csv).hasSize(1 + 3 * SERIES.length);

    // results/<method>/: NAB's layout, read back by --scores-from's reader value for value
    List<NabDataset.NabSeries> series = NabDataset.open(corpus);
    for (NabEvaluation.MethodResult mr : r.methods()) {
      Path results = dir.resolve("report").resolve(NabReport.RESULTS).resolve(mr.name());
      List<double[]> back = NabResults.read(results, series);
      for (int i = 0; i < series.size(); i++) {
        NabEvaluation.SeriesResult sr = mr.series().get(i);
        assertThat(back.get(i)).as(mr.name() + " " + sr.key()).containsExactly(sr.scores());
      }
    }
    NabDataset.NabSeries first = series.get(0);
    String name = first.key().substring(first.key().lastIndexOf('/') + 1);
    List<String> lines = Files.readAllLines(dir.resolve("report/results/diffad")
        .resolve(first.key().substring(0, first.key().lastIndexOf('/')))
        .resolve("diffad_" + name));
    assertThat(lines.get(0)).isEqualTo("timestamp,value,anomaly_score,raw_score,label");
    assertThat(lines).hasSize(1 + first.rows());
    int labelled = 0;
    for (int t = 0; t < first.rows(); t++) {
      String[] f = lines.get(t + 1).split(",");
      assertThat(Double.parseDouble(f[3])).isEqualTo(d.series().get(0).raw()[t]);
      final int row = t;
      boolean inside = first.windows().stream().anyMatch(w -> w.start() <= row && row <= w.end());
      assertThat(f[4]).isEqualTo(inside ? "1" : "0");
      labelled += inside ? 1 : 0;
    }
    assertThat(labelled).isPositive();

    // report.html: one metrics row per method with its own figures, in column order
    Path html = dir.resolve("report").resolve(NabReport.HTML);
    String page = Files.readString(html);
    for (NabEvaluation.MethodResult mr : r.methods()) {
      assertThat(ReportPages.metricsRow(page, mr.name())).as(mr.name()).containsExactly(
          ReportPages.fixed(mr.standard().normalised()),
          ReportPages.fixed(mr.profiles().get("reward_low_FP_rate").normalised()),
          ReportPages.fixed(mr.profiles().get("reward_low_FN_rate").normalised()),
          ReportPages.fixed(mr.nabLabelFree()),
          ReportPages.fixed(mr.pointwiseBestF1Oracle()),
          ReportPages.fixed(mr.pointAdjustedF1()));
    }
    assertThat(page).contains("NAB standard", "optimised over the corpus",
        "oracle: one corpus-wide threshold chosen on the test labels",
        "not comparable with point-wise", "Causal scoring");
    // the plotted series: the 3 with the most windows, ties by key (each has one window here)
    List<String> images = ReportPages.checkedImages(html);
    assertThat(images).containsExactly("series-1-g1-shift-a.png", "series-2-g1-spike-a.png",
        "series-3-g2-shift-b.png", "histogram-diffad.png");
    int scored = 0;
    int inside = 0;
    for (NabEvaluation.SeriesResult s : d.series()) {
      scored += s.rows() - s.probationRows();
      for (IndexWindow w : s.windows()) {
        inside += Math.max(0, Math.min(w.end(), s.rows() - 1)
            - Math.max(w.start(), s.probationRows()) + 1);
      }
    }
    assertThat(page).contains("inside (" + inside + ") and outside (" + (scored - inside) + ")");
  }

  @Test
  void causalRawScoresUseNoFutureRows() throws IOException {
    NabDataset.NabSeries s = NabDataset.open(corpus).get(0);
    float[] norm = ai.diffad.denoise.data.NabTrainingSet.normalise(s.values());
    float[] head = java.util.Arrays.copyOf(norm, 901);
    try (LoadedModel m = ModelArtifact.load(model, Device.cpu())) {
      ai.diffad.denoise.engine.AnomalyEngine engine =
          new ai.diffad.denoise.engine.AnomalyEngine(m, engine());
      double[] whole = NabEvaluation.causal(engine, norm, WINDOW, 2, 8, s.key());
      double[] part = NabEvaluation.causal(engine, head, WINDOW, 2, 8, s.key());
      // row t's score comes from the window ending at the last window end <= t: rows after t
      // never enter it, so cutting the series after row 900 changes nothing before it (row 900
      // itself is the cut copy's last row, which always gets a window of its own)
      for (int t = 0; t < 900; t++) {
        assertThat(part[t]).as("row %d", t).isCloseTo(whole[t], within(1e-6));
      }
    }
  }

  /**
   * Online learning stays causal: with the model tuned on the series' past every 150 rows, cutting
   * the series after row 900 changes no score before it (an update uses only rows already
   * scored), while the tuned model scores otherwise than the shared one.
   */
  @Test
  void onlineLearningUsesNoFutureRows() throws IOException {
    NabDataset.NabSeries s = NabDataset.open(corpus).get(0);
    float[] norm = ai.diffad.denoise.data.NabTrainingSet.normalise(s.values());
    float[] head = java.util.Arrays.copyOf(norm, 901);
    int probation = ai.diffad.denoise.data.NabTrainingSet.probationaryRows(norm.length);
    ai.diffad.config.OnlineConfig online = new ai.diffad.config.OnlineConfig(150, 2, 4, 1e-2, 400);
    try (LoadedModel m = ModelArtifact.load(model, Device.cpu());
        ai.diffad.denoise.engine.AnomalyEngine engine =
            new ai.diffad.denoise.engine.AnomalyEngine(m, engine());
        ai.diffad.model.train.OnlineTuner tuner = new ai.diffad.model.train.OnlineTuner(m, online)) {
      double[] shared = NabEvaluation.causal(engine, norm, WINDOW, 2, 8, s.key());
      double[] whole = NabSeriesScorer.causal(engine, norm, 1, WINDOW, 2, 8, s.key(),
          new NabSeriesScorer.Updater(tuner, online, norm, 1, probation, WINDOW, s.key()));
      assertThat(tuner.updates()).isGreaterThan(5);
      tuner.reset();
      double[] part = NabSeriesScorer.causal(engine, head, 1, WINDOW, 2, 8, s.key(),
          new NabSeriesScorer.Updater(tuner, online, head, 1, probation, WINDOW, s.key()));
      for (int t = 0; t < 900; t++) {
        assertThat(part[t]).as("row %d", t).isCloseTo(whole[t], within(1e-6));
      }
      for (int t = 0; t < probation; t++) {
        assertThat(whole[t]).as("row %d, before the first update", t)
            .isCloseTo(shared[t], within(1e-6));
      }
      int differ = 0;
      for (int t = probation + 200; t < norm.length; t++) {
        differ += Math.abs(whole[t] - shared[t]) > 1e-5 ? 1 : 0;
      }
      assertThat(differ).isGreaterThan(100);
    }
  }

  /**
   * A mapper whose last rows are causal (an imputer's hidden block) gives each row its own value:
   * with a stand-in mapper whose map is the window itself, the raw score of every row from the
   * first hidden block on is the row's own value, and the rows before it take the first one's.
   */
  @Test
  void aMapperWithCausalLastRowsGivesEachRowItsOwnValue() {
    float[] norm = new float[203];
    for (int i = 0; i < norm.length; i++) {
      norm[i] = i * 0.5f - 3f;
    }
    ai.diffad.denoise.engine.AnomalyMapper own = new ai.diffad.denoise.engine.AnomalyMapper() {
      @Override
      public boolean needsReconstruction() {
        return false;
      }

      @Override
      public int causalRows() {
        return 5;
      }

      @Override
      public List<float[]> maps(ai.diffad.denoise.engine.MapBatch batch) {
        return batch.stitchPerTile(batch.tiles());
      }
    };
    try (LoadedModel m = ModelArtifact.load(model, Device.cpu())) {
      ai.diffad.denoise.engine.AnomalyEngine engine =
          new ai.diffad.denoise.engine.AnomalyEngine(m, engine(), own);
      double[] raw = NabEvaluation.causal(engine, norm, WINDOW, 2, 8, "s");
      for (int t = WINDOW - 5; t < norm.length; t++) {
        assertThat(raw[t]).as("row %d", t).isEqualTo(norm[t]);
      }
      for (int t = 0; t < WINDOW - 5; t++) {
        assertThat(raw[t]).as("row %d", t).isEqualTo(norm[WINDOW - 5]);
      }
    }
  }

  @Test
  void theShippedEngineFileHoldsTheDefaultEngine() {
    assertThat(ConfigLoader.read(Path.of("../config/engine/nab.yaml"), EngineConfig.class))
        .isEqualTo(NabEvaluation.defaultEngine());
  }

  @Test
  void theDetectorIsCausalAndZScoresAgainstThePast() {
    int n = 3000;
    double[] raw = new double[n];
    SplittableRandom rng = new SplittableRandom(4);
    for (int t = 0; t < n; t++) {
      raw[t] = 1 + 0.1 * rng.nextGaussian() + (t >= 2000 ? 5 : 0);
    }
    NabEvaluation.Options o = new NabEvaluation.Options(NabEvaluation.Scoring.WINDOWED, 1, 1, 4,
        500, 0, 0.999, 4.0 / 3.0);
    double[] z = NabEvaluation.detector(raw, 450, 0, o).scores();
    double[] zCut = NabEvaluation.detector(java.util.Arrays.copyOf(raw, 2100), 450, 0, o)
        .scores();
    for (int t = 0; t < 2100; t++) {
      assertThat(zCut[t]).isCloseTo(z[t], within(1e-9)); // no future rows
    }
    assertThat(z[2003]).isGreaterThan(20); // the step change alarms
    assertThat(Math.abs(z[2900])).isLessThan(5); // and is the new normal 500 rows later
    // refractory: one alarm per 100 rows at most. Not vacuous: the step change raises alarms,
    // and more of them without the refractory rule than with it
    boolean[] a = NabEvaluation.alarms(z, 3.0, 100);
    assertThat(count(a)).as("alarms raised").isGreaterThanOrEqualTo(1);
    assertThat(count(NabEvaluation.alarms(z, 3.0, 0))).isGreaterThan(count(a));
    int last = -1000;
    for (int t = 0; t < n; t++) {
      if (a[t]) {
        assertThat(t - last).isGreaterThan(100);
        last = t;
      }
    }
  }

  private static int count(boolean[] flags) {
    int c = 0;
    for (boolean f : flags) {
      c += f ? 1 : 0;
    }
    return c;
  }
}
