package ai.diffad.evaluation.metrics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The NAB score, following {@code nab/sweeper.py} (numenta/NAB) row by row.
 *
 * <ul>
 *   <li>The first {@code min(floor(0.15·n), 0.15·5000)} rows are probationary: neither their
 *       detections nor windows lying wholly inside them are scored.</li>
 *   <li>A row i in a window [l, r] (width w = r − l + 1) has relative position
 *       p = −(r − i + 1) / w (−1 at the window start, −1/w at its end) and scores
 *       {@code scaledSigmoid(p) · A_TP / scaledSigmoid(−1)}, so a detection at the window start
 *       scores exactly A_TP.</li>
 *   <li>A row outside windows scores {@code scaledSigmoid(|r_prev − i| / (w_prev − 1)) · A_FP}
 *       after a window (r_prev, w_prev of the preceding window), and −A_FP before the first one;
 *       {@code scaledSigmoid(x) = 2·sigmoid(−5x) − 1}, and −1 for x ≥ 3.</li>
 *   <li>Each window adds the best score of its detections (the earliest, since the sigmoid falls
 *       along the window: only the first detection counts), or −A_FN if none. Each detection
 *       outside a window adds its (negative) score.</li>
 *   <li>{@link #normalised} sums raw scores over all series and maps them with NAB's
 *       {@code runner.normalize}: 100·(raw − null)/(perfect − null), with perfect = A_TP × number
 *       of labelled windows and null = −A_FN × number of scored windows (the null detector's
 *       score, nothing detected).</li>
 * </ul>
 *
 * <p>NAB picks one detection threshold per detector by optimising the summed score over the whole
 * corpus on the test labels ({@link #optimiseThreshold}; NAB's scoreboard numbers are such
 * optima). {@link #score} scores given detections, or scores at a given threshold (flagged when
 * {@code >= threshold}).
 */
public final class NabScorer {
  private final NabProfile profile;
  private final double probationPercent;

  /** A scorer for a profile and probationary fraction (NAB: 0.15). */
  public NabScorer(NabProfile profile, double probationPercent) {
    if (!(probationPercent >= 0 && probationPercent < 1)) {
      throw new IllegalArgumentException("probationPercent must be in [0, 1), got "
          + probationPercent);
    }
    this.profile = profile;
    this.probationPercent = probationPercent;
  }

  /** The profile this scorer weights with. */
  public NabProfile profile() {
    return profile;
  }

  /** The standard profile with 15 % probation. */
  public static NabScorer standard() {
    return new NabScorer(NabProfile.STANDARD, 0.15);
  }

  /**
   * The score of one series.
   *
   * @param raw the unnormalised NAB score of the series
   * @param detectedWindows scored windows with at least one detection
   * @param missedWindows scored windows without detection
   * @param falsePositives scored detections outside every window
   * @param scoredWindows windows with at least one row after the probationary period
   * @param labelledWindows all windows of the series (NAB's "perfect" counts these)
   */
  public record SeriesScore(double raw, int detectedWindows, int missedWindows, int falsePositives,
      int scoredWindows, int labelledWindows) {}

  /** NAB's {@code scaledSigmoid}: 2·sigmoid(−5x) − 1, and −1 for x ≥ 3. */
  public static double scaledSigmoid(double relativePosition) {
    if (relativePosition >= 3.0) {
      return -1.0;
    }
    return 2.0 / (1.0 + Math.exp(5.0 * relativePosition)) - 1.0;
  }

  /** Number of probationary rows (as a real bound: row i is scored when {@code i >= } it). */
  public double probationaryLength(int rows) {
    return Math.min(Math.floor(probationPercent * rows), probationPercent * 5000);
  }

  /** Scores detections at {@code scores >= threshold}. */
  public SeriesScore score(double[] scores, double threshold, List<IndexWindow> windows) {
    return score(SeriesMetrics.flag(scores, threshold), windows);
  }

  /** Scores binary detections of one series against its windows (row indices). */
  public SeriesScore score(boolean[] detections, List<IndexWindow> windows) {
    Rows rows = rows(detections.length, windows);
    int w = rows.windowCount();
    double[] windowBest = new double[w];
    boolean[] windowHit = new boolean[w];
    double fpSum = 0;
    int fpCount = 0;
    for (int i = 0; i < detections.length; i++) {
      int k = rows.window()[i];
      if (!detections[i] || k == PROBATIONARY) {
        continue;
      }
      if (k == OUTSIDE) {
        fpSum += rows.score()[i];
        fpCount++;
      } else if (!windowHit[k] || rows.score()[i] > windowBest[k]) {
        windowHit[k] = true;
        windowBest[k] = rows.score()[i];
      }
    }
    double raw = fpSum;
    int hit = 0;
    int missed = 0;
    for (int k = 0; k < w; k++) {
      if (!rows.windowScored()[k]) {
        continue;
      }
      if (windowHit[k]) {
        hit++;
        raw += windowBest[k];
      } else {
        missed++;
        raw -= profile.fnWeight();
      }
    }
    return new SeriesScore(raw, hit, missed, fpCount, rows.scoredWindows(), w);
  }

  /**
   * One series' anomaly scores and windows, for {@link #optimiseThreshold}.
   *
   * @param scores one anomaly score per row (NAB: in [0, 1])
   * @param windows labelled windows as row ranges
   */
  public record ScoredSeries(double[] scores, List<IndexWindow> windows) {}

  /**
   * The corpus-wide threshold that maximises the summed raw score, as NAB's threshold optimiser
   * does for each detector and profile.
   *
   * @param threshold flag rows with score {@code >=} this; +Infinity when flagging nothing wins
   * @param raw the summed raw score at that threshold
   * @param normalised the NAB score at that threshold (as {@link #normalised})
   */
  public record Optimum(double threshold, double raw, double normalised) {}

  /**
   * Finds the best threshold exactly: every distinct score is tried, in one pass over all scored
   * rows of the corpus sorted by descending score (NAB's {@code calcScoreByThreshold}).
   */
  public Optimum optimiseThreshold(List<ScoredSeries> corpus) {
    int total = 0;
    int windowsSoFar = 0;
    int scoredWindows = 0;
    int labelledWindows = 0;
    List<Rows> all = new ArrayList<>();
    for (ScoredSeries s : corpus) {
      Rows r = rows(s.scores().length, s.windows());
      all.add(r);
      total += s.scores().length;
      scoredWindows += r.scoredWindows();
      labelledWindows += r.windowCount();
    }
    double[] score = new double[total];
    double[] rowScore = new double[total];
    int[] window = new int[total];
    int m = 0;
    for (int c = 0; c < corpus.size(); c++) {
      Rows r = all.get(c);
      double[] sc = corpus.get(c).scores();
      for (int i = 0; i < sc.length; i++) {
        if (r.window()[i] == PROBATIONARY) {
          continue;
        }
        if (Double.isNaN(sc[i])) {
          throw new IllegalArgumentException("series " + c + " row " + i + " has a NaN score");
        }
        score[m] = sc[i];
        rowScore[m] = r.score()[i];
        window[m] = r.window()[i] == OUTSIDE ? OUTSIDE : windowsSoFar + r.window()[i];
        m++;
      }
      windowsSoFar += r.windowCount();
    }
    double[] part = new double[windowsSoFar];
    java.util.Arrays.fill(part, -profile.fnWeight());
    double nullRaw = -profile.fnWeight() * scoredWindows;
    double current = nullRaw;
    double bestRaw = current;
    double bestThreshold = Double.POSITIVE_INFINITY;
    int[] order = Sorting.argsortDescending(java.util.Arrays.copyOf(score, m));
    int i = 0;
    while (i < m) {
      double t = score[order[i]];
      while (i < m && score[order[i]] == t) {
        int k = order[i++];
        if (window[k] == OUTSIDE) {
          current += rowScore[k];
        } else if (rowScore[k] > part[window[k]]) {
          current += rowScore[k] - part[window[k]];
          part[window[k]] = rowScore[k];
        }
      }
      if (current > bestRaw) {
        bestRaw = current;
        bestThreshold = t;
      }
    }
    double perfect = profile.tpWeight() * labelledWindows;
    if (perfect == nullRaw) {
      throw new IllegalArgumentException("no labelled windows: the NAB score is undefined");
    }
    return new Optimum(bestThreshold, bestRaw, 100.0 * (bestRaw - nullRaw) / (perfect - nullRaw));
  }

  private static final int OUTSIDE = -1;
  private static final int PROBATIONARY = -2;

  /**
   * Per row: its weighted sweep score and its window (index into the sorted windows, or
   * {@link #OUTSIDE}, or {@link #PROBATIONARY}).
   */
  private record Rows(double[] score, int[] window, int windowCount, boolean[] windowScored,
      int scoredWindows) {}

  private Rows rows(int n, List<IndexWindow> windows) {
    List<IndexWindow> ws = new ArrayList<>(windows);
    ws.sort(Comparator.comparingInt(IndexWindow::start));
    for (int k = 0; k < ws.size(); k++) {
      if (ws.get(k).end() >= n) {
        throw new IllegalArgumentException("window " + ws.get(k) + " ends past the series ("
            + n + " rows)");
      }
      if (k > 0 && ws.get(k).start() <= ws.get(k - 1).end()) {
        throw new IllegalArgumentException("windows " + ws.get(k - 1) + " and " + ws.get(k)
            + " overlap");
      }
    }
    double probation = probationaryLength(n);
    double maxTp = scaledSigmoid(-1.0);
    double[] score = new double[n];
    int[] window = new int[n];
    boolean[] scored = new boolean[ws.size()];
    int next = 0;
    int cur = -1;
    int prevRight = -1;
    double prevWidth = 0;
    for (int i = 0; i < n; i++) {
      if (next < ws.size() && i == ws.get(next).start()) {
        cur = next++;
      }
      if (cur >= 0) {
        IndexWindow w = ws.get(cur);
        double position = -(w.end() - i + 1) / (double) w.length();
        score[i] = scaledSigmoid(position) * profile.tpWeight() / maxTp;
      } else {
        // NAB divides by (width - 1); a one-row window gives +Infinity here -> -1 (NAB: error).
        double past = prevRight < 0 ? 3.0 : Math.abs(prevRight - i) / (prevWidth - 1);
        score[i] = scaledSigmoid(past) * profile.fpWeight();
      }
      if (i < probation) {
        window[i] = PROBATIONARY;
      } else {
        window[i] = cur >= 0 ? cur : OUTSIDE;
        if (cur >= 0) {
          scored[cur] = true;
        }
      }
      if (cur >= 0 && i == ws.get(cur).end()) {
        prevRight = i;
        prevWidth = ws.get(cur).length();
        cur = -1;
      }
    }
    int scoredCount = 0;
    for (boolean b : scored) {
      scoredCount += b ? 1 : 0;
    }
    return new Rows(score, window, ws.size(), scored, scoredCount);
  }

  /** The normalised NAB score (null detector 0, perfect detector 100) of a corpus of series. */
  public double normalised(List<SeriesScore> series) {
    double raw = 0;
    double nullScore = 0;
    double perfect = 0;
    for (SeriesScore s : series) {
      raw += s.raw();
      nullScore -= profile.fnWeight() * s.scoredWindows();
      perfect += profile.tpWeight() * s.labelledWindows();
    }
    if (perfect == nullScore) {
      throw new IllegalArgumentException("no labelled windows: the NAB score is undefined");
    }
    return 100.0 * (raw - nullScore) / (perfect - nullScore);
  }
}
