package ai.diffad.evaluation.run;

import ai.diffad.denoise.data.NabTrainingSet;
import ai.diffad.evaluation.data.NabDataset.NabSeries;
import ai.diffad.evaluation.metrics.BinaryCounts;
import ai.diffad.evaluation.metrics.IndexWindow;
import ai.diffad.evaluation.metrics.NabProfile;
import ai.diffad.evaluation.metrics.NabScorer;
import ai.diffad.evaluation.metrics.SeriesMetrics;
import ai.diffad.evaluation.run.NabEvaluation.MethodResult;
import ai.diffad.evaluation.run.NabEvaluation.Options;
import ai.diffad.evaluation.run.NabEvaluation.Result;
import ai.diffad.evaluation.run.NabEvaluation.SeriesResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The NAB protocol over a corpus: thresholds, alarms, NAB scores and point-wise figures of each
 * method's detector.
 *
 * <p><b>Alarms.</b> An alarm is raised at row t when z reaches the threshold and no alarm was
 * raised in the previous {@code refractory} rows: NAB credits only the first detection in a window
 * and charges every other flagged row as a false positive, so a detector that keeps flagging a
 * lasting anomaly is penalised for it.
 *
 * <p><b>Thresholds.</b>
 * <ul>
 *   <li>{@value NabEvaluation#NAB_PROTOCOL}: the standard, reward_low_FP_rate and
 *       reward_low_FN_rate profiles, each with the one threshold on z that maximises its score
 *       over the whole corpus (NAB's own optimiser does this for every scoreboard entry); exact
 *       sweep without a refractory period, otherwise a sweep over the top 5 % of the corpus'
 *       scores on a geometric rank grid.</li>
 *   <li>Label-free: per series, the detector's own threshold ({@link NabZScore}). No label is
 *       read.</li>
 * </ul>
 * Point-wise F1 (labels: rows inside NAB windows; probationary rows left out; a row is flagged
 * when its z reaches the threshold, without the refractory rule) at the label-free thresholds, its
 * best value over one corpus-wide threshold (the oracle: chosen on the test labels) and the
 * point-adjusted F1 (a window counts as found when any of its rows is flagged; labelled
 * {@value SeriesMetrics#POINT_ADJUSTED}) are reported separately.
 */
final class NabProtocol {
  private final List<NabSeries> corpus;
  private final Options options;

  /** The protocol over {@code corpus} with the detector settings {@code options}. */
  NabProtocol(List<NabSeries> corpus, Options options) {
    this.corpus = List.copyOf(corpus);
    this.options = Objects.requireNonNull(options, "options");
  }

  /**
   * The result of every method, in the given order (diffad, the baseline, their fusion).
   *
   * @param methods detector by method name, in order
   * @param scoringSeconds wall time of the engine
   * @param t0 {@link System#nanoTime} at the start of the evaluation
   */
  Result result(Map<String, NabDetector> methods, double scoringSeconds, long t0) {
    List<MethodResult> results = new ArrayList<>();
    for (Map.Entry<String, NabDetector> e : methods.entrySet()) {
      results.add(evaluate(e.getKey(), e.getValue()));
    }
    return new Result(List.copyOf(results), options, scoringSeconds,
        (System.nanoTime() - t0) / 1e9, corpus);
  }

  /** All figures of one method from its detector. */
  MethodResult evaluate(String name, NabDetector detector) {
    List<NabDetection> det = new ArrayList<>();
    for (NabSeries s : corpus) {
      det.add(detector.detect(s));
    }
    NabScorer standard = NabScorer.standard();
    List<double[]> z = new ArrayList<>();
    for (NabDetection d : det) {
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
      NabDetection d = det.get(i);
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
          d.labelFreeThreshold(), opt, free, cPw, cPa, d.raw()));
    }
    double pwBest = SeriesMetrics.pointwiseBestF1(allScores, allLabels);
    double paBest = SeriesMetrics.pointAdjustedBestF1(seriesScores, seriesLabels);
    return new MethodResult(name, List.copyOf(results), profiles,
        standard.normalised(atLabelFree), pwBest, pw, pa, paBest);
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
