package ai.diffad.evaluation.run;

import ai.diffad.config.ConfigLoader;
import ai.diffad.config.DataFormat;
import ai.diffad.config.DiffadConfig;
import ai.diffad.config.EngineConfig;
import ai.diffad.denoise.calibrate.Calibrator;
import ai.diffad.denoise.data.SensorTrainingSet;
import ai.diffad.denoise.data.TrainingSets;
import ai.diffad.denoise.engine.AnomalyEngine;
import ai.diffad.evaluation.data.SkabDataset;
import ai.diffad.evaluation.data.SkabDataset.SkabSeries;
import ai.diffad.evaluation.metrics.BinaryCounts;
import ai.diffad.evaluation.metrics.SeriesMetrics;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.artifact.ModelManifest;
import ai.diffad.model.train.DataFingerprint;
import ai.diffad.model.train.Trainer;
import ai.djl.Device;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The Skoltech Anomaly Benchmark under its own outlier-detection protocol (SKAB MANIFEST.md): for
 * each of the 34 labelled series a small 1-D model (the 8 sensors as the channels of one tensor per
 * window; a data.format sensor profile such as {@code config/profiles/skab.yaml}) is trained on the
 * series' first {@value SkabDataset#TRAIN_ROWS} rows, normalised with those rows' per-sensor mean
 * and standard deviation (the statistics the model stores), and scores the whole series; the test
 * part (the rest) is flagged where its per-step score reaches a threshold fitted on the training
 * rows' scores alone: {@code factor} times their {@code quantile} (the SKAB Conv-AE baseline's rule:
 * an upper control limit of a quantile of training residuals times 4/3). The predictions of all
 * test parts are concatenated and scored as one binary classification: F1, false-alarm rate (FAR)
 * and missed-alarm rate (MAR). No label is used to fit anything.
 *
 * <p>This evaluation fits its own models with {@link Trainer}: it takes a profile, not a
 * model ({@code diffad evaluate --kind skab --config ...}; {@code --model} is not used). Models are
 * written under {@code workDir/<folder>_<series>/model}; a model already there is reused when it
 * was trained with the same profile on the same training rows.
 *
 * <p>Also reported, each under its own label: the point-wise best F1 over all thresholds (the
 * oracle: one corpus-wide threshold chosen on the test labels, on scores relative to each series'
 * own threshold), and the point-adjusted F1 at the label-free thresholds.
 */
public final class SkabEvaluation {

  /**
   * Engine settings the shipped SKAB figures were measured with, as EngineConfig YAML (the same as
   * {@code config/engine/skab.yaml}): one-step reconstructions from t* = 400 averaged over 4 noise
   * seeds, squared error averaged over the 8 sensors, smoothed in time (sigma 2 rows). A high t*
   * matters here: SKAB's faults are mostly lasting level changes, which a reconstruction from a
   * lightly noised input simply copies; from t* = 400 (alpha-bar 0.19) the network pulls the
   * window back toward the normal levels it was trained on.
   */
  public static final String ENGINE_YAML = String.join("\n",
      "reconstruction: {tStar: 400, sampler: ddim, steps: 1, seeds: 4, seed: 0, batchSize: 64}",
      "tiling: {tileOverlap: 0.75}", "map: l2", "score: {smoothSigma: 2.0}", "");

  /** {@link #ENGINE_YAML} as a configuration. */
  public static EngineConfig defaultEngine() {
    return ConfigLoader.parse(ENGINE_YAML, false, EngineConfig.class);
  }

  /**
   * Threshold settings.
   *
   * @param quantile quantile of the training rows' scores
   * @param factor the quantile is multiplied by this
   */
  public record Options(double quantile, double factor) {
    /** Validates. */
    public Options {
      if (!(quantile > 0 && quantile <= 1) || !(factor > 0)) {
        throw new IllegalArgumentException("quantile must be in (0, 1] and factor > 0, got "
            + quantile + ", " + factor);
      }
    }

    /** The Conv-AE baseline's rule: 4/3 of the 0.99 quantile of the training rows' scores. */
    public static Options defaults() {
      return new Options(0.99, 4.0 / 3.0);
    }

    /** The rule in words. */
    public String rule() {
      return String.format(Locale.ROOT,
          "per series: %.4g x the %.4g quantile of the scores of its first %d rows (the rows its "
              + "model was trained on); no labels", factor, quantile, SkabDataset.TRAIN_ROWS);
    }
  }

  /**
   * The outcome for one series.
   *
   * @param key "folder/name.csv"
   * @param trainRows rows the model was fitted on
   * @param threshold the label-free threshold
   * @param scores per-step scores of the whole series (training rows first)
   * @param labels anomaly labels of the test part
   * @param predictions predictions for the test part (score >= threshold)
   * @param counts point-wise counts of the test part
   * @param trainSeconds training wall time (0 when a model was reused)
   * @param scoreSeconds scoring wall time
   * @param reused whether an existing model was reused
   */
  public record SeriesResult(String key, int trainRows, double threshold, double[] scores,
      boolean[] labels, boolean[] predictions, BinaryCounts counts, double trainSeconds,
      double scoreSeconds, boolean reused) {
    /** Scores of the test part. */
    public double[] testScores() {
      return Arrays.copyOfRange(scores, trainRows, scores.length);
    }

    /** Point-wise F1 of this series' test part. */
    public double f1() {
      return counts.f1();
    }
  }

  /**
   * Everything the report needs.
   *
   * @param series per-series results, in benchmark order
   * @param options the threshold rule
   * @param engine the engine settings
   * @param total point-wise counts over all test parts (the benchmark's figures)
   * @param pointAdjusted point-adjusted counts over all test parts, at the same thresholds
   * @param pointwiseBestF1Oracle best point-wise F1 over one threshold on score / own threshold,
   *     chosen on the test labels
   * @param trainSeconds total training wall time
   * @param seconds wall time of the evaluation
   */
  public record Result(List<SeriesResult> series, Options options, EngineConfig engine,
      BinaryCounts total, BinaryCounts pointAdjusted, double pointwiseBestF1Oracle,
      double trainSeconds, double seconds) {
    /** Point-wise F1 over all test parts. */
    public double f1() {
      return total.f1();
    }

    /** False alarm rate FP / (FP + TN), a fraction. */
    public double far() {
      return total.falseAlarmRate();
    }

    /** Missed alarm rate FN / (FN + TP), a fraction. */
    public double mar() {
      return total.missedAlarmRate();
    }

    /** Point-adjusted F1 at the same thresholds (labelled point-adjusted). */
    public double pointAdjustedF1() {
      return pointAdjusted.f1();
    }

    /** The F1 of flagging every test row (the trivial reference). */
    public double allAnomalousF1() {
      long pos = total.tp() + total.fn();
      long neg = total.fp() + total.tn();
      return new BinaryCounts(pos, neg, 0, 0).f1();
    }
  }

  private SkabEvaluation() {}

  /** Runs the protocol with {@link #defaultEngine()} and {@link Options#defaults()}. */
  public static Result run(DiffadConfig profile, Path dataset, Path workDir, Progress progress)
      throws IOException {
    return run(profile, defaultEngine(), Options.defaults(), dataset, workDir, progress);
  }

  /**
   * Runs the protocol.
   *
   * @param profile a data.format sensor profile with 8 channels
   * @param engine engine settings for scoring
   * @param options the threshold rule
   * @param dataset the SKAB root (valve1/, valve2/, other/)
   * @param workDir where the per-series training rows and models go
   * @param progress told per series
   */
  public static Result run(DiffadConfig profile, EngineConfig engine, Options options,
      Path dataset, Path workDir, Progress progress) throws IOException {
    Objects.requireNonNull(profile, "profile");
    if (profile.data().format() != DataFormat.SENSOR) {
      throw new IllegalArgumentException("the SKAB evaluation needs a data.format sensor profile, "
          + "got " + profile.data().format().spelling());
    }
    long t0 = System.nanoTime();
    Progress p = progress == null ? Progress.NONE : progress;
    List<SkabSeries> all = SkabDataset.labelled(dataset);
    List<SeriesResult> results = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      results.add(fitAndScore(profile, engine, options, all.get(i), workDir));
      p.advanced("fitting and scoring SKAB series", i + 1, all.size());
    }
    return summarise(results, options, engine, (System.nanoTime() - t0) / 1e9);
  }

  /** Folder name of a series' model and training rows under the work directory. */
  static String folderOf(String key) {
    return key.replace(".csv", "").replaceAll("[^A-Za-z0-9._-]", "_");
  }

  /** Fits a model on the series' first rows and scores it. */
  static SeriesResult fitAndScore(DiffadConfig profile, EngineConfig engine, Options options,
      SkabSeries s, Path workDir) throws IOException {
    int channels = s.sensorNames().size();
    if (channels != profile.data().channels()) {
      throw new IllegalArgumentException(s.key() + " has " + channels + " sensors; the profile "
          + "takes data.channels = " + profile.data().channels());
    }
    double[][] train = s.trainSensors();
    int trainRows = train.length;
    if (trainRows >= s.rows()) {
      throw new IllegalArgumentException(s.key() + " has no rows after the first " + trainRows);
    }
    Path dir = workDir.resolve(folderOf(s.key()));
    Files.createDirectories(dir);
    Path csv = dir.resolve("train.csv");
    writeCsv(csv, s.sensorNames(), train);
    SensorTrainingSet set = TrainingSets.openSensor(profile.data(), csv,
        engine.maxSensorValues());
    Path modelDir = dir.resolve("model");
    double trainSeconds = 0;
    boolean reused = reusable(modelDir, profile, set);
    if (!reused) {
      long t0 = System.nanoTime();
      Trainer.builder()
          .setConfig(profile)
          .setData(set)
          .setOutputDir(modelDir)
          .optProgressBar(false)
          .build()
          .run();
      trainSeconds = (System.nanoTime() - t0) / 1e9;
    }
    long s0 = System.nanoTime();
    double[] scores;
    try (LoadedModel model = ModelArtifact.load(modelDir, Device.cpu());
        AnomalyEngine eng = new AnomalyEngine(model, engine)) {
      ModelManifest.InputSpec in = model.manifest().input();
      float[] norm = normalise(s.sensors(), in.channelMean(), in.channelStd());
      scores = NabEvaluation.toDouble(eng.scoreSeries(norm, channels, s.rows(), s.key()).perStep());
    }
    double scoreSeconds = (System.nanoTime() - s0) / 1e9;
    double threshold = options.factor()
        * Calibrator.quantile(Arrays.copyOf(scores, trainRows), options.quantile());
    boolean[] labels = s.testAnomaly();
    boolean[] predictions = SeriesMetrics.flag(
        Arrays.copyOfRange(scores, trainRows, scores.length), threshold);
    return new SeriesResult(s.key(), trainRows, threshold, scores, labels, predictions,
        SeriesMetrics.count(predictions, labels), trainSeconds, scoreSeconds, reused);
  }

  /** Totals and the oracle figure over per-series results. */
  static Result summarise(List<SeriesResult> results, Options options, EngineConfig engine,
      double seconds) {
    BinaryCounts total = new BinaryCounts(0, 0, 0, 0);
    BinaryCounts adjusted = new BinaryCounts(0, 0, 0, 0);
    int n = 0;
    double trainSeconds = 0;
    for (SeriesResult r : results) {
      total = total.plus(r.counts());
      adjusted = adjusted.plus(SeriesMetrics.pointAdjusted(r.predictions(), r.labels()));
      n += r.labels().length;
      trainSeconds += r.trainSeconds();
    }
    double[] rel = new double[n];
    boolean[] lab = new boolean[n];
    int k = 0;
    for (SeriesResult r : results) {
      double[] ts = r.testScores();
      for (int i = 0; i < ts.length; i++) {
        rel[k] = ts[i] / r.threshold();
        lab[k++] = r.labels()[i];
      }
    }
    double oracle = SeriesMetrics.pointwiseBestF1(rel, lab);
    return new Result(List.copyOf(results), options, engine, total, adjusted, oracle,
        trainSeconds, seconds);
  }

  private static boolean reusable(Path modelDir, DiffadConfig profile, SensorTrainingSet set) {
    if (!Files.isRegularFile(modelDir.resolve(ModelArtifact.MANIFEST))) {
      return false;
    }
    try {
      ModelManifest m = ModelArtifact.readManifest(modelDir);
      return m.config().equals(profile)
          && DataFingerprint.of(set).equals(m.training().dataFingerprint());
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** (rows, C) values to channel-major (C, L), normalised per channel. */
  static float[] normalise(double[][] rows, double[] mean, double[] std) {
    if (mean == null || std == null) {
      throw new IllegalArgumentException("the model stores no sensor statistics");
    }
    int c = mean.length;
    int len = rows.length;
    float[] out = new float[c * len];
    for (int t = 0; t < len; t++) {
      for (int k = 0; k < c; k++) {
        out[k * len + t] = (float) ((rows[t][k] - mean[k]) / std[k]);
      }
    }
    return out;
  }

  private static void writeCsv(Path file, List<String> names, double[][] rows) throws IOException {
    StringBuilder sb = new StringBuilder();
    sb.append(String.join(",", names.stream().map(n -> n.replace(",", " ")).toList()))
        .append('\n');
    for (double[] r : rows) {
      for (int k = 0; k < r.length; k++) {
        if (k > 0) {
          sb.append(',');
        }
        sb.append(r[k]);
      }
      sb.append('\n');
    }
    Files.writeString(file, sb, StandardCharsets.UTF_8);
  }
}
