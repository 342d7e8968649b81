package ai.diffad.evaluation.run;

import ai.diffad.config.DataFormat;
import ai.diffad.config.EngineConfig;
import ai.diffad.config.SeriesContext;
import ai.diffad.denoise.data.NabTrainingSet;
import ai.diffad.denoise.engine.AnomalyEngine;
import ai.diffad.denoise.engine.Reconstructor;
import ai.diffad.denoise.io.DailyContext;
import ai.diffad.denoise.io.Windows;
import ai.diffad.evaluation.data.NabDataset.NabSeries;
import ai.diffad.evaluation.run.NabEvaluation.Options;
import ai.diffad.evaluation.run.NabEvaluation.Scoring;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.train.OnlineTuner;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Turns one NAB series into per-row raw scores (reconstruction errors) with the diffusion model,
 * through an {@link AnomalyEngine}.
 *
 * <p>Every series is normalised by its own probationary part ({@link NabTrainingSet#normalise}),
 * as in training, and given the model's context channels ({@link DailyContext}, from its
 * timestamps, for data.context daily); the engine reconstructs windows of the model's length from
 * t*:
 * <ul>
 *   <li>{@link Scoring#CAUSAL} (NAB requires a detector's score of row t to use rows up to t
 *       only): windows <em>ending</em> at every {@code causalStride}-th row; the score of a
 *       window end e is the mean error over the window's last {@code causalTail} positions, and
 *       the rows up to the next window end keep it (a delay of at most causalStride - 1 rows, never
 *       a look ahead). Rows before the first full window (all probationary, never scored) take the
 *       first window's score.</li>
 *   <li>{@link Scoring#WINDOWED}: {@link AnomalyEngine#scoreSeries} (overlapping windows stitched,
 *       Gaussian-smoothed): it looks up to one window ahead, which NAB does not allow a
 *       detector.</li>
 * </ul>
 */
final class NabSeriesScorer {
  private final AnomalyEngine engine;
  private final int window;
  private final SeriesContext context;
  private final Options options;

  /**
   * A scorer of series with an engine.
   *
   * @param engine the engine (borrowed)
   * @param window the model's window length
   * @param context the model's data.context (a daily context is built from each series'
   *     timestamps)
   * @param options scoring mode, causal stride and tail
   */
  NabSeriesScorer(AnomalyEngine engine, int window, SeriesContext context, Options options) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.window = window;
    this.context = Objects.requireNonNull(context, "context");
    this.options = Objects.requireNonNull(options, "options");
  }

  /** The first row whose raw score came from a full window (window - 1 causal, 0 windowed). */
  static int firstRow(Scoring scoring, int window) {
    return scoring == Scoring.CAUSAL ? window - 1 : 0;
  }

  /** The raw per-row scores of one series, before smoothing and z-scoring. */
  double[] score(NabSeries s) {
    return score(s, null);
  }

  /** As {@link #score(NabSeries)}, learning online with {@code tuner} when it is not null. */
  double[] score(NabSeries s, OnlineTuner tuner) {
    float[] norm = NabTrainingSet.normalise(s.values());
    int n = norm.length;
    float[] input = context == SeriesContext.NONE ? norm
        : DailyContext.append(norm, 1, n, DailyContext.rowsPerDay(s.timestamps()));
    int channels = input.length / n;
    if (options.scoring() == Scoring.WINDOWED) {
      if (tuner != null) {
        throw new IllegalArgumentException("online learning needs causal scoring");
      }
      return toDouble(engine.scoreSeries(input, channels, n, s.key()).perStep());
    }
    Updater updater = tuner == null ? null
        : new Updater(tuner, options.online(), input, channels,
        NabTrainingSet.probationaryRows(n), window, s.key());
    return causal(engine, input, channels, window, options.causalStride(), options.causalTail(),
        s.key(), updater);
  }

  /**
   * The raw per-row scores of every series of a corpus with a data.format nab model, in corpus
   * order; progress is told per series. With {@code options.online()}, the model is tuned on each
   * series' past as it is scored and reset to the shared weights before the next series.
   */
  static List<double[]> scoreCorpus(LoadedModel model, EngineConfig cfg, Options options,
      List<NabSeries> corpus, Progress progress) {
    if (model.manifest().config().data().format() != DataFormat.NAB) {
      throw new IllegalArgumentException("model " + model.manifest().name() + " has data.format "
          + model.manifest().config().data().format().spelling() + "; the NAB evaluation needs "
          + "a data.format nab model (per-series probationary normalisation)");
    }
    ai.diffad.config.OnlineConfig online = options.online();
    try (AnomalyEngine engine = new AnomalyEngine(model, cfg);
        OnlineTuner tuner = online == null ? null : new OnlineTuner(model, online)) {
      ai.diffad.config.DataConfig data = model.manifest().config().data();
      NabSeriesScorer scorer = new NabSeriesScorer(engine, data.size(), data.context(), options);
      long total = 0;
      for (NabSeries s : corpus) {
        total += s.rows();
      }
      List<double[]> out = new ArrayList<>(corpus.size());
      long done = 0;
      try {
        for (NabSeries s : corpus) {
          if (tuner != null) {
            tuner.reset();
          }
          out.add(scorer.score(s, tuner));
          done += s.rows();
          progress.advanced(tuner == null ? "scoring NAB series"
              : "scoring NAB series, learning online", done, total);
        }
      } finally {
        if (tuner != null) {
          tuner.reset();
        }
      }
      return out;
    }
  }

  /**
   * Online learning during a causal pass: once the rows up to the end of probation have been
   * scored, and then every {@code online.every()} rows, the tuner takes its steps on the last
   * {@code online.history()} rows seen (all already scored), so the windows scored next use a
   * model that has learned from every row before them and from none after.
   */
  static final class Updater {
    private final OnlineTuner tuner;
    private final ai.diffad.config.OnlineConfig online;
    private final float[] series;
    private final int channels;
    private final int window;
    private final String id;
    private int next;

    Updater(OnlineTuner tuner, ai.diffad.config.OnlineConfig online, float[] series, int channels,
        int probation, int window, String id) {
      this.tuner = tuner;
      this.online = online;
      this.series = series;
      this.channels = channels;
      this.window = window;
      this.id = id;
      this.next = Math.max(probation, window) - 1;
    }

    /** The row after which the next update is due. */
    int next() {
      return next;
    }

    /** Rows 0..row have been scored: update if one is due. */
    void seen(int row) {
      if (row < next) {
        return;
      }
      int from = Math.max(0, row + 1 - online.history());
      if (row + 1 - from >= window) {
        float[] past = Windows.rows(series, channels, from, row + 1);
        tuner.update(new ai.diffad.denoise.data.InMemoryTrainingSet(List.of(
            new ai.diffad.denoise.data.InMemoryTrainingSet.Item(past, 1, row + 1 - from, -1)),
            channels, id + " rows " + from + ".." + row), Reconstructor.tileKey(id, row));
      }
      while (next <= row) {
        next += online.every();
      }
    }
  }

  /**
   * The maps of the windows ending at {@code ends} (ascending), in chunks of at most 4096 and, with
   * an updater, never across a due update: {@code sink} gets each chunk's first index and maps,
   * then the updater hears the chunk's last end.
   */
  private static void mapWindows(AnomalyEngine engine, float[] series, int channels, int window,
      List<Integer> ends, String id, Updater updater,
      java.util.function.BiConsumer<Integer, float[][]> sink) {
    int from = 0;
    while (from < ends.size()) {
      int to = Math.min(ends.size(), from + 4096);
      if (updater != null) {
        int limit = from + 1;
        while (limit < to && ends.get(limit) <= Math.max(updater.next(), ends.get(from))) {
          limit++;
        }
        to = limit;
      }
      int m = to - from;
      float[][] tiles = new float[m][];
      long[] keys = new long[m];
      for (int i = 0; i < m; i++) {
        int e = ends.get(from + i);
        tiles[i] = Windows.rows(series, channels, e - window + 1, e + 1);
        keys[i] = Reconstructor.tileKey(id, from + i);
      }
      sink.accept(from, engine.windowMaps(tiles, keys));
      if (updater != null) {
        updater.seen(ends.get(to - 1));
      }
      from = to;
    }
  }

  /** Window ends every {@code stride} rows from {@code window - 1}, and the last row. */
  private static List<Integer> ends(int n, int window, int stride) {
    List<Integer> ends = new ArrayList<>();
    for (int e = window - 1; e < n; e += stride) {
      ends.add(e);
    }
    if (ends.get(ends.size() - 1) != n - 1) {
      ends.add(n - 1);
    }
    return ends;
  }

  /**
   * Causal raw scores of one normalised series: the mean reconstruction error over the last
   * {@code tail} positions of windows ending at rows {@code window - 1}, {@code + stride}, ... and
   * at the last row; rows between two window ends keep the earlier end's score. A mapper whose
   * last rows are causal ({@link ai.diffad.denoise.engine.AnomalyMapper#causalRows()}) is scored
   * by {@link #perRow} instead (stride and tail then come from the mapper).
   */
  static double[] causal(AnomalyEngine engine, float[] norm, int window, int stride, int tail,
      String id) {
    return causal(engine, norm, 1, window, stride, tail, id, null);
  }

  /**
   * As {@link #causal(AnomalyEngine, float[], int, int, int, String)} for a channel-major (C, n)
   * series (values and context channels), learning online with {@code updater} when not null.
   */
  static double[] causal(AnomalyEngine engine, float[] series, int channels, int window,
      int stride, int tail, String id, Updater updater) {
    int n = series.length / channels;
    if (n < window) {
      throw new IllegalArgumentException(id + ": " + n + " rows, fewer than one window ("
          + window + ")");
    }
    int own = Math.min(engine.mapper().causalRows(), window);
    if (own > 0) {
      return perRow(engine, series, channels, window, own, id, updater);
    }
    int tl = Math.min(tail, window);
    List<Integer> ends = ends(n, window, stride);
    double[] endScore = new double[ends.size()];
    mapWindows(engine, series, channels, window, ends, id, updater, (from, err) -> {
      for (int i = 0; i < err.length; i++) {
        double sum = 0;
        for (int k = window - tl; k < window; k++) {
          sum += err[i][k];
        }
        endScore[from + i] = sum / tl;
      }
    });
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

  /**
   * Causal raw scores from a mapper whose last {@code own} rows of a window are known at their own
   * rows ({@link ai.diffad.denoise.engine.AnomalyMapper#causalRows()}, an imputer's hidden last
   * rows): windows end every {@code own} rows, so each row after the first window is one of the
   * last {@code own} rows of exactly one window and takes its own value there (no delay, no look
   * ahead); the series' last window may overlap the one before it, whose rows keep their first
   * value. Rows before the first window's hidden block (all probationary) take the first hidden
   * row's value.
   */
  static double[] perRow(AnomalyEngine engine, float[] series, int channels, int window, int own,
      String id, Updater updater) {
    int n = series.length / channels;
    List<Integer> ends = ends(n, window, own);
    double[] out = new double[n];
    boolean[] set = new boolean[n];
    mapWindows(engine, series, channels, window, ends, id, updater, (from, err) -> {
      for (int i = 0; i < err.length; i++) {
        int e = ends.get(from + i);
        for (int k = window - own; k < window; k++) {
          int row = e - window + 1 + k;
          if (!set[row]) {
            out[row] = err[i][k];
            set[row] = true;
          }
        }
      }
    });
    int first = window - own;
    for (int r = 0; r < first; r++) {
      out[r] = out[first];
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
}
