package ai.diffad.evaluation.run;

import ai.diffad.config.EngineConfig;
import ai.diffad.denoise.data.NabTrainingSet;
import ai.diffad.denoise.engine.AnomalyEngine;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Evaluates one shared 1-D model (data.format nab, see {@link NabTrainingSet}) on the Numenta
 * Anomaly Benchmark corpus, with a model-free baseline through the same detector: the entry point,
 * its settings and its results. The work is done by:
 * <ul>
 *   <li>{@link NabSeriesScorer}: a series to per-row raw scores (reconstruction errors) through the
 *       {@link AnomalyEngine}, {@link Scoring#CAUSAL} (NAB-valid: windows ending at the scored row)
 *       or {@link Scoring#WINDOWED} (looks up to one window ahead, which NAB does not allow a
 *       detector, so its figures are not NAB-valid and are labelled so);</li>
 *   <li>the detectors ({@link NabDetector}: a series in, its per-row z and label-free threshold
 *       out), all through the same causal z-score rule {@link NabZScore}: diffad's
 *       ({@link NabRawScoreDetector} on the scorer's raw scores), the model-free baseline
 *       ({@link NabValueDetector}: |normalised value|) and their fusion
 *       ({@link NabFusionDetector}: per row the larger of their z-scores);</li>
 *   <li>{@link NabProtocol}: alarms with the refractory rule, the corpus-optimised thresholds
 *       ({@value #NAB_PROTOCOL}) and the label-free ones, the NAB profiles' scores
 *       ({@link NabScorer}), point-wise and point-adjusted F1 (labelled
 *       {@value SeriesMetrics#POINT_ADJUSTED}), and the {@link Result}.</li>
 * </ul>
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
      "reconstruction: {tStar: 250, sampler: ddim, steps: 5, seeds: 1, seed: 0, batchSize: 128}",
      "map: l1", "score: {smoothSigma: 0.0}", "");

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
   * @param online online learning per series (from the end of probation, then every
   *     {@code online.every()} rows; reset to the shared weights for the next series), or null
   */
  public record Options(Scoring scoring, int causalStride, int causalTail, int smoothing,
      int history, int refractory, double labelFreeQuantile, double labelFreeFactor,
      ai.diffad.config.OnlineConfig online) {
    /** Options without online learning. */
    public Options(Scoring scoring, int causalStride, int causalTail, int smoothing, int history,
        int refractory, double labelFreeQuantile, double labelFreeFactor) {
      this(scoring, causalStride, causalTail, smoothing, history, refractory, labelFreeQuantile,
          labelFreeFactor, null);
    }

    /** These options with online learning (or none, for null). */
    public Options withOnline(ai.diffad.config.OnlineConfig o) {
      return new Options(scoring, causalStride, causalTail, smoothing, history, refractory,
          labelFreeQuantile, labelFreeFactor, o);
    }

    /** Validates. */
    public Options {
      if (online != null && scoring != Scoring.CAUSAL) {
        throw new IllegalArgumentException("online learning needs causal scoring");
      }
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
          labelFreeQuantile, labelFreeFactor, online);
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
   * @param raw the per-row input of the z-score rule: the raw score before smoothing and
   *     z-scoring (a fusion's: the larger of its two z)
   */
  public record SeriesResult(String key, int rows, int probationRows, List<IndexWindow> windows,
      double[] scores, double labelFreeThreshold, NabScorer.SeriesScore atCorpusThreshold,
      NabScorer.SeriesScore atLabelFree, BinaryCounts pointwiseLabelFree,
      BinaryCounts pointAdjustedLabelFree, double[] raw) {
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
   * @param corpus the series scored, in the order of every method's results
   */
  public record Result(List<MethodResult> methods, Options options, double scoringSeconds,
      double seconds, List<NabSeries> corpus) {
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
    int first = NabSeriesScorer.firstRow(options.scoring(),
        model.manifest().config().data().size());
    NabDetector diffad = new NabRawScoreDetector(corpus, raw, first, options);
    NabDetector value = new NabValueDetector(options);
    Map<String, NabDetector> methods = new LinkedHashMap<>();
    methods.put(DIFFAD, diffad);
    methods.put(BASELINE, value);
    methods.put(FUSION, new NabFusionDetector(diffad, value, Math.max(first, 0), options));
    return new NabProtocol(corpus, options).result(methods, scoring, t0);
  }

  /** The baseline's raw scores: |value| after per-series probationary normalisation. */
  public static List<double[]> baselineScores(List<NabSeries> corpus) {
    List<double[]> out = new ArrayList<>(corpus.size());
    for (NabSeries s : corpus) {
      out.add(NabValueDetector.raw(s));
    }
    return out;
  }

  /**
   * The raw per-row scores (reconstruction errors) of every series, before smoothing and
   * z-scoring ({@link NabSeriesScorer}).
   */
  public static List<double[]> rawScores(LoadedModel model, EngineConfig cfg, Options options,
      List<NabSeries> corpus, Progress progress) {
    return NabSeriesScorer.scoreCorpus(model, cfg, options, corpus, progress);
  }

  /**
   * All figures of one method from its raw scores (one array per series, in corpus order).
   *
   * @param firstRow first row whose raw score is complete (see {@link NabZScore#of})
   */
  public static MethodResult evaluate(String name, List<NabSeries> corpus, List<double[]> raw,
      Options options, int firstRow) {
    return new NabProtocol(corpus, options)
        .evaluate(name, new NabRawScoreDetector(corpus, raw, firstRow, options));
  }

  /**
   * The fusion of two methods' detectors ({@link NabFusionDetector}): per row the larger of the
   * two z-scores, put through the same rule once more.
   */
  public static MethodResult fuse(String name, List<NabSeries> corpus, List<double[]> rawA,
      int firstRowA, List<double[]> rawB, int firstRowB, Options options) {
    NabDetector a = new NabRawScoreDetector(corpus, rawA, firstRowA, options);
    NabDetector b = new NabRawScoreDetector(corpus, rawB, firstRowB, options);
    return new NabProtocol(corpus, options).evaluate(name,
        new NabFusionDetector(a, b, Math.max(firstRowA, firstRowB), options));
  }

  /** {@link NabSeriesScorer#causal}. */
  static double[] causal(AnomalyEngine engine, float[] norm, int window, int stride, int tail,
      String id) {
    return NabSeriesScorer.causal(engine, norm, window, stride, tail, id);
  }

  /** {@code f} widened to doubles ({@link NabSeriesScorer#toDouble}). */
  static double[] toDouble(float[] f) {
    return NabSeriesScorer.toDouble(f);
  }

  /** {@link NabZScore#of}. */
  static NabDetection detector(double[] raw, int probation, int firstRow, Options options) {
    return NabZScore.of(raw, probation, firstRow, options);
  }

  /** {@link NabProtocol#alarms}. */
  static boolean[] alarms(double[] scores, double threshold, int refractory) {
    return NabProtocol.alarms(scores, threshold, refractory);
  }

  /** {@link NabProtocol#optimise}. */
  static NabScorer.Optimum optimise(NabScorer scorer, List<double[]> z, List<NabSeries> corpus,
      int refractory) {
    return NabProtocol.optimise(scorer, z, corpus, refractory);
  }

  /** {@link NabProtocol#probationRows}. */
  static int probationRows(NabScorer scorer, int rows) {
    return NabProtocol.probationRows(scorer, rows);
  }

  /** Rows inside a labelled window ({@link NabProtocol#labels}). */
  static boolean[] labels(int rows, List<IndexWindow> windows) {
    return NabProtocol.labels(rows, windows);
  }
}
