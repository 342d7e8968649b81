package ai.diffad.evaluation.run;

import ai.diffad.config.DataFormat;
import ai.diffad.config.EngineConfig;
import ai.diffad.denoise.calibrate.Calibrator;
import ai.diffad.denoise.data.NabTrainingSet;
import ai.diffad.denoise.engine.AnomalyEngine;
import ai.diffad.denoise.engine.AnomalyMaps;
import ai.diffad.denoise.engine.Reconstructor;
import ai.diffad.evaluation.data.NabDataset;
import ai.diffad.evaluation.data.NabDataset.NabSeries;
import ai.diffad.evaluation.metrics.BinaryCounts;
import ai.diffad.evaluation.metrics.IndexWindow;
import ai.diffad.evaluation.metrics.NabProfile;
import ai.diffad.evaluation.metrics.NabScorer;
import ai.diffad.evaluation.metrics.SeriesMetrics;
import ai.diffad.model.artifact.LoadedModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Evaluates one shared 1-D model (data.format nab, see {@link NabTrainingSet}) on the Numenta
 * Anomaly Benchmark corpus, with a model-free baseline through the same detector.
 *
 * <p><b>Raw score.</b> Every series is normalised by its own probationary part
 * ({@link NabTrainingSet#normalise}), as in training. The engine reconstructs windows of the
 * model's length from t*; the reconstruction error is the raw score:
 * <ul>
 *   <li>{@link Scoring#CAUSAL} (default; NAB requires a detector's score of row t to use rows up
 *       to t only): windows <em>ending</em> at every {@code causalStride}-th row; the score of a
 *       window end e is the mean error over the window's last {@code causalTail} positions, and
 *       the rows up to the next window end keep it (a delay of at most causalStride - 1 rows, never
 *       a look ahead). Rows before the first full window (all probationary, never scored) take the
 *       first window's score.</li>
 *   <li>{@link Scoring#WINDOWED}: {@link AnomalyEngine#scoreSeries} (overlapping windows stitched,
 *       Gaussian-smoothed): it looks up to one window ahead, which NAB does not allow a detector,
 *       so its figures are not NAB-valid and are labelled so.</li>
 * </ul>
 * The baseline's raw score is |normalised value|: the same detector without any model. A third
 * method fuses the two: per row the larger of their z-scores ({@link #fuse}).
 *
 * <p><b>Detector.</b> The raw score is averaged causally over {@code smoothing} rows and z-scored
 * against that average's mean and standard deviation over the preceding {@code history} rows (or
 * the probationary rows when {@code history} is 0), so one scale serves all series and a lasting
 * change stops alarming once it is the new normal (the idea of HTM's anomaly likelihood). An alarm
 * is raised at row t when z reaches the threshold and no alarm was raised in the previous
 * {@code refractory} rows: NAB credits only the first detection in a window and charges every
 * other flagged row as a false positive, so a detector that keeps flagging a lasting anomaly is
 * penalised for it.
 *
 * <p><b>Thresholds.</b>
 * <ul>
 *   <li>{@value #NAB_PROTOCOL}: the standard, reward_low_FP_rate and reward_low_FN_rate profiles,
 *       each with the one threshold on z that maximises its score over the whole corpus (NAB's own
 *       optimiser does this for every scoreboard entry); exact sweep without a refractory period,
 *       otherwise a sweep over the top 5 % of the corpus' scores on a geometric rank grid.</li>
 *   <li>Label-free: per series, {@code labelFreeFactor} times the {@code labelFreeQuantile} of its
 *       smoothed probationary raw scores (the SKAB Conv-AE's upper-control-limit rule), put on the
 *       z scale with the probationary mean and standard deviation. No label is read.</li>
 * </ul>
 * Point-wise F1 (labels: rows inside NAB windows; probationary rows left out; a row is flagged
 * when its z reaches the threshold, without the refractory rule) at the label-free thresholds, its
 * best value over one corpus-wide threshold (the oracle: chosen on the test labels) and the
 * point-adjusted F1 (a window counts as found when any of its rows is flagged; labelled
 * {@value SeriesMetrics#POINT_ADJUSTED}) are reported separately.
 */
public final class NabEvaluation {
  /** How the raw per-row score is computed. */
  public enum Scoring {
    /** Windows ending at the scored row: uses no future rows (NAB's rule for detectors). */
    CAUSAL,
    /** The engine's stitched, smoothed per-step error: looks up to one window ahead. */
    WINDOWED
  }

  /** The label of the corpus-optimised NAB figures. */
  public static final String NAB_PROTOCOL =
      "NAB protocol: one threshold per profile optimised over the corpus (on the test labels)";
  /** The name of the diffusion method in results and reports. */
  public static final String DIFFAD = "diffad";
  /** The name of the model-free baseline. */
  public static final String BASELINE = "value-zscore";
  /** The name of the fusion of both (the larger z-score per row). */
  public static final String FUSION = "diffad+value-zscore";

  /**
   * Engine settings the shipped NAB figures were measured with, as EngineConfig YAML (the same as
   * {@code config/engine/nab.yaml}): windows noised to t* = 250 and reconstructed with 5 DDIM
   * steps, L1 error.
   */
  public static final String ENGINE_YAML = String.join("\n",
      "tStar: 250", "sampler: ddim", "steps: 5", "seeds: 1", "seed: 0", "batchSize: 128",
      "map: l1", "smoothSigma: 0.0", "");

  /** {@link #ENGINE_YAML} as a configuration. */
  public static EngineConfig defaultEngine() {
    return ai.diffad.config.ConfigLoader.parse(ENGINE_YAML, false, EngineConfig.class);
  }

  /**
   * Settings of the detector.
   *
   * @param scoring causal (NAB-valid) or windowed (looks ahead)
   * @param causalStride rows between causal window ends (1: a window per row)
   * @param causalTail positions at the end of a causal window whose error is averaged
   * @param smoothing causal moving average of the raw score over this many rows
   * @param history rows of past averages the z-score is taken against (0: the probationary rows)
   * @param refractory rows after an alarm in which no other alarm is raised (0: none)
   * @param labelFreeQuantile quantile of a series' probationary scores for its label-free threshold
   * @param labelFreeFactor that quantile is multiplied by this (in raw-score units)
   */
  public record Options(Scoring scoring, int causalStride, int causalTail, int smoothing,
      int history, int refractory, double labelFreeQuantile, double labelFreeFactor) {
    /** Validates. */
    public Options {
      Objects.requireNonNull(scoring, "scoring");
      if (causalStride < 1 || causalTail < 1 || smoothing < 1 || history < 0 || refractory < 0) {
        throw new IllegalArgumentException("causalStride, causalTail and smoothing must be >= 1, "
            + "history and refractory >= 0");
      }
      if (!(labelFreeQuantile > 0 && labelFreeQuantile <= 1) || !(labelFreeFactor > 0)) {
        throw new IllegalArgumentException("labelFreeQuantile must be in (0, 1] and "
            + "labelFreeFactor > 0");
      }
    }

    /** The shipped settings (measured on the corpus; see the nab profile). */
    public static Options defaults() {
      return new Options(Scoring.CAUSAL, 4, 16, 16, 4000, 100, 0.999, 4.0 / 3.0);
    }

    /** These options with another scoring mode. */
    public Options withScoring(Scoring s) {
      return new Options(s, causalStride, causalTail, smoothing, history, refractory,
          labelFreeQuantile, labelFreeFactor);
    }

    /** The label-free threshold rule in words. */
    public String labelFreeRule() {
      return String.format(Locale.ROOT,
          "per series: %.4g x the %.4g quantile of its smoothed probationary raw scores (no labels)",
          labelFreeFactor, labelFreeQuantile);
    }
  }

  /**
   * The outcome for one series and method.
   *
   * @param key "group/name.csv"
   * @param rows rows of the series
   * @param probationRows NAB's probationary rows (not scored)
   * @param windows labelled anomaly windows (row ranges)
   * @param scores the detector's z per row
   * @param labelFreeThreshold the series' label-free threshold on {@link #scores}
   * @param atCorpusThreshold NAB standard-profile score at the corpus-optimised threshold
   * @param atLabelFree NAB standard-profile score at the label-free threshold
   * @param pointwiseLabelFree point-wise counts at the label-free threshold (scored rows)
   * @param pointAdjustedLabelFree point-adjusted counts at the label-free threshold
   */
  public record SeriesResult(String key, int rows, int probationRows, List<IndexWindow> windows,
      double[] scores, double labelFreeThreshold, NabScorer.SeriesScore atCorpusThreshold,
      NabScorer.SeriesScore atLabelFree, BinaryCounts pointwiseLabelFree,
      BinaryCounts pointAdjustedLabelFree) {
    /** Alarms (with the refractory rule) at a threshold. */
    public boolean[] alarms(double threshold, int refractory) {
      return NabEvaluation.alarms(scores, threshold, refractory);
    }
  }

  /**
   * The figures of one method (diffad or the baseline).
   *
   * @param name method name
   * @param series per-series results, in corpus order
   * @param profiles the corpus-optimised optimum of each NAB profile by name, standard first
   * @param nabLabelFree the NAB standard score at the label-free thresholds
   * @param pointwiseBestF1Oracle best point-wise F1 over one corpus-wide threshold, chosen on the
   *     test labels
   * @param pointwiseLabelFree point-wise counts at the label-free thresholds, summed over series
   * @param pointAdjustedLabelFree point-adjusted counts at the label-free thresholds, summed
   * @param pointAdjustedBestF1Oracle best point-adjusted F1 over one corpus-wide threshold
   */
  public record MethodResult(String name, List<SeriesResult> series,
      Map<String, NabScorer.Optimum> profiles, double nabLabelFree, double pointwiseBestF1Oracle,
      BinaryCounts pointwiseLabelFree, BinaryCounts pointAdjustedLabelFree,
      double pointAdjustedBestF1Oracle) {
    /** The standard profile's corpus optimum (NAB protocol). */
    public NabScorer.Optimum standard() {
      return profiles.get(NabProfile.STANDARD.name());
    }

    /** Point-adjusted F1 at the label-free thresholds. */
    public double pointAdjustedF1() {
      return pointAdjustedLabelFree.f1();
    }

    /** Summed counts of the standard profile at a per-series result's chosen score. */
    public int[] counts(boolean labelFree) {
      int det = 0;
      int missed = 0;
      int fp = 0;
      for (SeriesResult s : series) {
        NabScorer.SeriesScore sc = labelFree ? s.atLabelFree() : s.atCorpusThreshold();
        det += sc.detectedWindows();
        missed += sc.missedWindows();
        fp += sc.falsePositives();
      }
      return new int[] {det, missed, fp};
    }
  }

  /**
   * Everything the report needs.
   *
   * @param methods diffad first, then the baseline, then their fusion
   * @param options the detector settings (shared by both methods)
   * @param scoringSeconds wall time of the engine
   * @param seconds wall time of the evaluation
   */
  public record Result(List<MethodResult> methods, Options options, double scoringSeconds,
      double seconds) {
    /** diffad's figures. */
    public MethodResult diffad() {
      return methods.get(0);
    }

    /** The model-free baseline's figures. */
    public MethodResult baseline() {
      return methods.get(1);
    }

    /** The fusion's figures (the larger of diffad's and the baseline's z per row). */
    public MethodResult fusion() {
      return methods.get(2);
    }
  }

  private NabEvaluation() {}

  /**
   * Scores the corpus at {@code dataset} with a data.format nab model and the shipped options.
   *
   * @param model the shared 1-D model (not closed here)
   * @param cfg engine settings (t*, sampler, steps, seeds, map, batch size; smoothSigma acts in
   *     windowed scoring only); {@code config/engine/nab.yaml} holds the shipped ones
   * @param dataset the NAB root (data/ and labels/combined_windows.json)
   * @param progress told per series
   */
  public static Result run(LoadedModel model, EngineConfig cfg, Path dataset, Progress progress)
      throws IOException {
    return run(model, cfg, Options.defaults(), dataset, progress);
  }

  /** {@link #run(LoadedModel, EngineConfig, Path, Progress)} with explicit options. */
  public static Result run(LoadedModel model, EngineConfig cfg, Options options, Path dataset,
      Progress progress) throws IOException {
    long t0 = System.nanoTime();
    Progress p = progress == null ? Progress.NONE : progress;
    List<NabSeries> corpus = NabDataset.open(dataset);
    List<double[]> raw = rawScores(model, cfg, options, corpus, p);
    double scoring = (System.nanoTime() - t0) / 1e9;
    int window = model.manifest().config().data().size();
    int first = options.scoring() == Scoring.CAUSAL ? window - 1 : 0;
    List<double[]> base = baselineScores(corpus);
    List<MethodResult> methods = List.of(
        evaluate(DIFFAD, corpus, raw, options, first),
        evaluate(BASELINE, corpus, base, options, 0),
        fuse(FUSION, corpus, raw, first, base, 0, options));
    return new Result(methods, options, scoring, (System.nanoTime() - t0) / 1e9);
  }

  /** The baseline's raw scores: |value| after per-series probationary normalisation. */
  public static List<double[]> baselineScores(List<NabSeries> corpus) {
    List<double[]> out = new ArrayList<>(corpus.size());
    for (NabSeries s : corpus) {
      float[] n = NabTrainingSet.normalise(s.values());
      double[] r = new double[n.length];
      for (int i = 0; i < r.length; i++) {
        r[i] = Math.abs(n[i]);
      }
      out.add(r);
    }
    return out;
  }

  /**
   * The raw per-row scores (reconstruction errors) of every series, before smoothing and
   * z-scoring.
   */
  public static List<double[]> rawScores(LoadedModel model, EngineConfig cfg, Options options,
      List<NabSeries> corpus, Progress progress) {
    if (model.manifest().config().data().format() != DataFormat.NAB) {
      throw new IllegalArgumentException("model " + model.manifest().name() + " has data.format "
          + model.manifest().config().data().format().spelling() + "; the NAB evaluation needs "
          + "a data.format nab model (per-series probationary normalisation)");
    }
    AnomalyEngine engine = new AnomalyEngine(model, cfg);
    int window = model.manifest().config().data().size();
    long total = 0;
    for (NabSeries s : corpus) {
      total += s.rows();
    }
    List<double[]> out = new ArrayList<>(corpus.size());
    long done = 0;
    for (NabSeries s : corpus) {
      float[] norm = NabTrainingSet.normalise(s.values());
      out.add(options.scoring() == Scoring.CAUSAL
          ? causal(engine, norm, window, options.causalStride(), options.causalTail(), s.key())
          : toDouble(engine.scoreSeries(norm, 1, norm.length, s.key()).perStep()));
      done += s.rows();
      progress.advanced("scoring NAB series", done, total);
    }
    return out;
  }

  /**
   * Causal raw scores of one normalised series: the mean reconstruction error over the last
   * {@code tail} positions of windows ending at rows {@code window - 1}, {@code + stride}, ... and
   * at the last row; rows between two window ends keep the earlier end's score.
   */
  static double[] causal(AnomalyEngine engine, float[] norm, int window, int stride, int tail,
      String id) {
    int n = norm.length;
    if (n < window) {
      throw new IllegalArgumentException(id + ": " + n + " rows, fewer than one window ("
          + window + ")");
    }
    int tl = Math.min(tail, window);
    List<Integer> ends = new ArrayList<>();
    for (int e = window - 1; e < n; e += stride) {
      ends.add(e);
    }
    if (ends.get(ends.size() - 1) != n - 1) {
      ends.add(n - 1);
    }
    double[] endScore = new double[ends.size()];
    Reconstructor rec = engine.reconstructor();
    EngineConfig cfg = engine.config();
    int chunk = 4096;
    for (int from = 0; from < ends.size(); from += chunk) {
      int m = Math.min(chunk, ends.size() - from);
      float[][] tiles = new float[m][];
      long[] keys = new long[m];
      for (int i = 0; i < m; i++) {
        int e = ends.get(from + i);
        tiles[i] = Arrays.copyOfRange(norm, e - window + 1, e + 1);
        keys[i] = Reconstructor.tileKey(id, from + i);
      }
      float[][] r = rec.reconstruct(tiles, keys, window).tiles();
      for (int i = 0; i < m; i++) {
        float[] err = AnomalyMaps.error(tiles[i], r[i], 1, 1, window, cfg.map(), cfg.mixWeights());
        double sum = 0;
        for (int k = window - tl; k < window; k++) {
          sum += err[k];
        }
        endScore[from + i] = sum / tl;
      }
    }
    double[] out = new double[n];
    int k = 0;
    for (int t = 0; t < n; t++) {
      while (k + 1 < ends.size() && ends.get(k + 1) <= t) {
        k++;
      }
      out[t] = endScore[k];
    }
    return out;
  }

  /** {@code f} widened to doubles. */
  static double[] toDouble(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  /** A series' detector output and its label-free threshold. */
  record Detector(double[] scores, double labelFreeThreshold) {}

  /**
   * The detector's output from raw scores: causal moving average over {@code options.smoothing}
   * rows, z-scored by that average's mean and standard deviation over the preceding
   * {@code options.history} rows (the probationary rows while fewer precede, or always when
   * history is 0); and the label-free threshold on the probationary z scale.
   *
   * @param probation the probationary rows of the series
   * @param firstRow first row whose raw score came from a full window (window - 1 for causal
   *     scoring, 0 otherwise)
   */
  static Detector detector(double[] raw, int probation, int firstRow, Options options) {
    int n = raw.length;
    int k = options.smoothing();
    double[] a = new double[n];
    double run = 0;
    for (int t = 0; t < n; t++) {
      run += raw[t];
      if (t >= k) {
        run -= raw[t - k];
      }
      a[t] = run / Math.min(t + 1, k);
    }
    int from = Math.max(0, Math.min(firstRow + k - 1, probation - 1));
    int to = Math.max(probation, from + 1);
    double[] ref = Arrays.copyOfRange(a, from, to);
    double mu = 0;
    for (double v : ref) {
      mu += v;
    }
    mu /= ref.length;
    double var = 0;
    for (double v : ref) {
      var += (v - mu) * (v - mu);
    }
    double sd = floorStd(Math.sqrt(var / ref.length), mu);
    double[] z = new double[n];
    int h = options.history();
    // prefix sums of (a - mu) for the rolling reference
    double[] s1 = new double[n + 1];
    double[] s2 = new double[n + 1];
    for (int t = 0; t < n; t++) {
      double d = a[t] - mu;
      s1[t + 1] = s1[t] + d;
      s2[t + 1] = s2[t] + d * d;
    }
    for (int t = 0; t < n; t++) {
      int hi = t - k + 1; // reference rows end before the current average's rows
      int lo = Math.max(from, hi - h);
      if (h == 0 || t < probation || hi - lo < to - from) {
        z[t] = (a[t] - mu) / sd;
        continue;
      }
      int m = hi - lo;
      double mean = (s1[hi] - s1[lo]) / m;
      double v = Math.max(0, (s2[hi] - s2[lo]) / m - mean * mean);
      z[t] = (a[t] - mu - mean) / floorStd(Math.sqrt(v), mean + mu);
    }
    double ucl = options.labelFreeFactor()
        * Calibrator.quantile(ref, options.labelFreeQuantile());
    return new Detector(z, (ucl - mu) / sd);
  }

  private static double floorStd(double sd, double mean) {
    return Math.max(sd, Math.max(1e-9, 1e-6 * Math.abs(mean)));
  }

  /**
   * Alarms: row t when {@code scores[t] >= threshold} and no alarm in the previous
   * {@code refractory} rows.
   */
  static boolean[] alarms(double[] scores, double threshold, int refractory) {
    boolean[] f = new boolean[scores.length];
    int last = Integer.MIN_VALUE / 2;
    for (int t = 0; t < scores.length; t++) {
      if (scores[t] >= threshold && t - last > refractory) {
        f[t] = true;
        last = t;
      }
    }
    return f;
  }

  /**
   * The corpus-wide threshold maximising a profile's NAB score for alarms with the refractory
   * rule: exact (NabScorer's sweep) without one, otherwise the best of the scored rows' values at
   * geometric ranks 1, 1.02, ... down to the top 5 %.
   */
  static NabScorer.Optimum optimise(NabScorer scorer, List<double[]> z, List<NabSeries> corpus,
      int refractory) {
    List<NabScorer.ScoredSeries> scored = new ArrayList<>();
    for (int i = 0; i < corpus.size(); i++) {
      scored.add(new NabScorer.ScoredSeries(z.get(i), corpus.get(i).windows()));
    }
    if (refractory == 0) {
      return scorer.optimiseThreshold(scored);
    }
    int total = 0;
    for (int i = 0; i < corpus.size(); i++) {
      total += corpus.get(i).rows() - probationRows(scorer, corpus.get(i).rows());
    }
    double[] all = new double[total];
    int m = 0;
    for (int i = 0; i < corpus.size(); i++) {
      double[] s = z.get(i);
      for (int t = probationRows(scorer, s.length); t < s.length; t++) {
        all[m++] = s[t];
      }
    }
    Arrays.sort(all);
    List<Double> candidates = new ArrayList<>();
    double last = Double.NaN;
    for (double r = 1; r <= Math.max(1, 0.05 * total); r *= 1.02) {
      double v = all[total - (int) r];
      if (v != last) {
        candidates.add(v);
        last = v;
      }
    }
    double bestRaw = Double.NEGATIVE_INFINITY;
    double bestT = Double.POSITIVE_INFINITY;
    double bestNorm = Double.NaN;
    candidates.add(Double.POSITIVE_INFINITY);
    for (double th : candidates) {
      List<NabScorer.SeriesScore> ss = new ArrayList<>();
      double raw = 0;
      for (int i = 0; i < corpus.size(); i++) {
        NabScorer.SeriesScore s = scorer.score(alarms(z.get(i), th, refractory),
            corpus.get(i).windows());
        ss.add(s);
        raw += s.raw();
      }
      if (raw > bestRaw) {
        bestRaw = raw;
        bestT = th;
        bestNorm = scorer.normalised(ss);
      }
    }
    return new NabScorer.Optimum(bestT, bestRaw, bestNorm);
  }

  /**
   * All figures of one method from its raw scores (one array per series, in corpus order).
   *
   * @param firstRow first row whose raw score is complete (see {@link #detector})
   */
  public static MethodResult evaluate(String name, List<NabSeries> corpus, List<double[]> raw,
      Options options, int firstRow) {
    return evaluate(name, corpus, detectors(corpus, raw, options, firstRow), options);
  }

  /**
   * The fusion of two methods' detectors: per row the larger of the two z-scores, put through the
   * same rule once more (z-scored against the probationary rows, label-free threshold from their
   * quantile), so that one threshold serves the corpus and one label-free rule each series.
   */
  public static MethodResult fuse(String name, List<NabSeries> corpus, List<double[]> rawA,
      int firstRowA, List<double[]> rawB, int firstRowB, Options options) {
    List<Detector> a = detectors(corpus, rawA, options, firstRowA);
    List<Detector> b = detectors(corpus, rawB, options, firstRowB);
    Options again = new Options(options.scoring(), options.causalStride(),
        options.causalTail(), 1, 0, options.refractory(), options.labelFreeQuantile(),
        options.labelFreeFactor());
    List<Detector> fused = new ArrayList<>();
    for (int i = 0; i < corpus.size(); i++) {
      double[] za = a.get(i).scores();
      double[] zb = b.get(i).scores();
      double[] m = new double[za.length];
      for (int t = 0; t < m.length; t++) {
        m[t] = Math.max(za[t], zb[t]);
      }
      int p = probationRows(NabScorer.standard(), corpus.get(i).rows());
      fused.add(detector(m, p, Math.max(firstRowA, firstRowB), again));
    }
    return evaluate(name, corpus, fused, options);
  }

  private static List<Detector> detectors(List<NabSeries> corpus, List<double[]> raw,
      Options options, int firstRow) {
    if (corpus.size() != raw.size()) {
      throw new IllegalArgumentException(corpus.size() + " series but " + raw.size()
          + " score arrays");
    }
    List<Detector> det = new ArrayList<>();
    for (int i = 0; i < corpus.size(); i++) {
      NabSeries s = corpus.get(i);
      if (raw.get(i).length != s.rows()) {
        throw new IllegalArgumentException(s.key() + ": " + raw.get(i).length + " scores for "
            + s.rows() + " rows");
      }
      det.add(detector(raw.get(i), probationRows(NabScorer.standard(), s.rows()), firstRow,
          options));
    }
    return det;
  }

  private static MethodResult evaluate(String name, List<NabSeries> corpus, List<Detector> det,
      Options options) {
    NabScorer standard = NabScorer.standard();
    List<double[]> z = new ArrayList<>();
    for (Detector d : det) {
      z.add(d.scores());
    }
    int refractory = options.refractory();
    Map<String, NabScorer.Optimum> profiles = new LinkedHashMap<>();
    for (NabProfile prof : List.of(NabProfile.STANDARD, NabProfile.REWARD_LOW_FP,
        NabProfile.REWARD_LOW_FN)) {
      profiles.put(prof.name(), optimise(new NabScorer(prof, 0.15), z, corpus, refractory));
    }
    double best = profiles.get(NabProfile.STANDARD.name()).threshold();

    List<SeriesResult> results = new ArrayList<>();
    List<NabScorer.SeriesScore> atLabelFree = new ArrayList<>();
    BinaryCounts pw = new BinaryCounts(0, 0, 0, 0);
    BinaryCounts pa = new BinaryCounts(0, 0, 0, 0);
    int scoredRows = 0;
    for (NabSeries s : corpus) {
      scoredRows += s.rows() - probationRows(standard, s.rows());
    }
    double[] allScores = new double[scoredRows];
    boolean[] allLabels = new boolean[scoredRows];
    List<double[]> seriesScores = new ArrayList<>();
    List<boolean[]> seriesLabels = new ArrayList<>();
    int m = 0;
    for (int i = 0; i < corpus.size(); i++) {
      NabSeries s = corpus.get(i);
      Detector d = det.get(i);
      int probation = probationRows(standard, s.rows());
      NabScorer.SeriesScore opt = standard.score(alarms(d.scores(), best, refractory),
          s.windows());
      NabScorer.SeriesScore free = standard.score(
          alarms(d.scores(), d.labelFreeThreshold(), refractory), s.windows());
      atLabelFree.add(free);
      boolean[] labels = labels(s.rows(), s.windows());
      double[] sc = Arrays.copyOfRange(d.scores(), probation, s.rows());
      boolean[] lb = Arrays.copyOfRange(labels, probation, s.rows());
      boolean[] flagged = SeriesMetrics.flag(sc, d.labelFreeThreshold());
      BinaryCounts cPw = SeriesMetrics.count(flagged, lb);
      BinaryCounts cPa = SeriesMetrics.pointAdjusted(flagged, lb);
      pw = pw.plus(cPw);
      pa = pa.plus(cPa);
      System.arraycopy(sc, 0, allScores, m, sc.length);
      System.arraycopy(lb, 0, allLabels, m, lb.length);
      m += sc.length;
      seriesScores.add(sc);
      seriesLabels.add(lb);
      results.add(new SeriesResult(s.key(), s.rows(), probation, s.windows(), d.scores(),
          d.labelFreeThreshold(), opt, free, cPw, cPa));
    }
    double pwBest = SeriesMetrics.pointwiseBestF1(allScores, allLabels);
    double paBest = SeriesMetrics.pointAdjustedBestF1(seriesScores, seriesLabels);
    return new MethodResult(name, List.copyOf(results), profiles,
        standard.normalised(atLabelFree), pwBest, pw, pa, paBest);
  }

  /** The probationary rows as the scorer counts them (row i is scored when i >= this). */
  static int probationRows(NabScorer scorer, int rows) {
    int p = (int) Math.ceil(scorer.probationaryLength(rows));
    if (p != NabTrainingSet.probationaryRows(rows)) {
      throw new IllegalStateException("probationary periods disagree for " + rows + " rows: "
          + p + " vs " + NabTrainingSet.probationaryRows(rows));
    }
    return p;
  }

  /** Rows inside a labelled window. */
  static boolean[] labels(int rows, List<IndexWindow> windows) {
    boolean[] l = new boolean[rows];
    for (IndexWindow w : windows) {
      Arrays.fill(l, w.start(), w.end() + 1, true);
    }
    return l;
  }
}
