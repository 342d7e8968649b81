package ai.diffad.evaluation.run;

import ai.diffad.evaluation.data.NabDataset;
import ai.diffad.evaluation.data.NabDataset.NabSeries;
import ai.diffad.evaluation.data.NabResults;
import ai.diffad.evaluation.metrics.NabProfile;
import ai.diffad.evaluation.metrics.NabScorer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Scores any detector's per-row {@code anomaly_score} output in NAB's results layout
 * ({@link NabResults}) against the NAB labels, as NAB's own scorer does: per profile either at a
 * given threshold (rows with score {@code >=} it are detections) or at the threshold that
 * maximises the corpus' raw score (NAB's optimiser, {@link NabScorer#optimiseThreshold}), then
 * normalised (null detector 0, perfect 100). No refractory rule, no smoothing: the detector's
 * scores are taken as they are.
 */
public final class NabResultsEvaluation {
  /** NAB's three profiles, in the scoreboard's order. */
  public static final List<NabProfile> PROFILES = List.of(NabProfile.STANDARD,
      NabProfile.REWARD_LOW_FP, NabProfile.REWARD_LOW_FN);
  /** NAB's probationary fraction. */
  public static final double PROBATION = 0.15;

  private NabResultsEvaluation() {}

  /**
   * The figures of one profile.
   *
   * @param profile the profile
   * @param threshold detections are rows with score {@code >=} this (+Infinity: none)
   * @param optimised whether the threshold was optimised on the labels (else given)
   * @param raw summed raw NAB score
   * @param normalised NAB score (null 0, perfect 100)
   * @param series per-series scores at the threshold, in corpus order
   */
  public record ProfileResult(NabProfile profile, double threshold, boolean optimised, double raw,
      double normalised, List<NabScorer.SeriesScore> series) {
    /** Detected windows, missed windows and false positives summed over the corpus. */
    public int[] counts() {
      int[] c = new int[3];
      for (NabScorer.SeriesScore s : series) {
        c[0] += s.detectedWindows();
        c[1] += s.missedWindows();
        c[2] += s.falsePositives();
      }
      return c;
    }
  }

  /**
   * Everything the report needs.
   *
   * @param corpus the NAB series, in corpus order
   * @param profiles figures by profile name, standard first
   * @param seconds wall time
   */
  public record Result(List<NabSeries> corpus, Map<String, ProfileResult> profiles,
      double seconds) {
    /** The standard profile's figures. */
    public ProfileResult standard() {
      return profiles.get(NabProfile.STANDARD.name());
    }
  }

  /**
   * Reads the NAB corpus at {@code dataset} and the results folder {@code scoresDir} and scores
   * it; {@code threshold} empty: optimised per profile.
   */
  public static Result run(Path dataset, Path scoresDir, OptionalDouble threshold)
      throws IOException {
    long t0 = System.nanoTime();
    List<NabSeries> corpus = NabDataset.open(dataset);
    List<double[]> scores = NabResults.read(scoresDir, corpus);
    Map<String, ProfileResult> profiles = evaluate(corpus, scores, threshold);
    return new Result(corpus, profiles, (System.nanoTime() - t0) / 1e9);
  }

  /** The figures of every profile for per-series scores (corpus order). */
  public static Map<String, ProfileResult> evaluate(List<NabSeries> corpus, List<double[]> scores,
      OptionalDouble threshold) {
    if (scores.size() != corpus.size()) {
      throw new IllegalArgumentException(scores.size() + " score arrays for " + corpus.size()
          + " series");
    }
    Map<String, ProfileResult> out = new LinkedHashMap<>();
    for (NabProfile p : PROFILES) {
      out.put(p.name(), profile(new NabScorer(p, PROBATION), corpus, scores, threshold));
    }
    return out;
  }

  private static ProfileResult profile(NabScorer scorer, List<NabSeries> corpus,
      List<double[]> scores, OptionalDouble threshold) {
    double t;
    if (threshold.isPresent()) {
      t = threshold.getAsDouble();
    } else {
      List<NabScorer.ScoredSeries> c = new ArrayList<>();
      for (int i = 0; i < corpus.size(); i++) {
        c.add(new NabScorer.ScoredSeries(scores.get(i), corpus.get(i).windows()));
      }
      t = scorer.optimiseThreshold(c).threshold();
    }
    List<NabScorer.SeriesScore> series = new ArrayList<>();
    double raw = 0;
    for (int i = 0; i < corpus.size(); i++) {
      NabScorer.SeriesScore s = scorer.score(scores.get(i), t, corpus.get(i).windows());
      series.add(s);
      raw += s.raw();
    }
    return new ProfileResult(scorer.profile(), t, threshold.isEmpty(), raw,
        scorer.normalised(series), List.copyOf(series));
  }
}
