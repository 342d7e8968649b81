package ai.diffad.evaluation.run;

import ai.diffad.config.DataFormat;
import ai.diffad.config.EngineConfig;
import ai.diffad.denoise.data.NabTrainingSet;
import ai.diffad.denoise.engine.AnomalyEngine;
import ai.diffad.denoise.engine.AnomalyMaps;
import ai.diffad.denoise.engine.Reconstructor;
import ai.diffad.evaluation.data.NabDataset.NabSeries;
import ai.diffad.evaluation.run.NabEvaluation.Options;
import ai.diffad.evaluation.run.NabEvaluation.Scoring;
import ai.diffad.model.artifact.LoadedModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Turns one NAB series into per-row raw scores (reconstruction errors) with the diffusion model,
 * through an {@link AnomalyEngine}.
 *
 * <p>Every series is normalised by its own probationary part ({@link NabTrainingSet#normalise}),
 * as in training; the engine reconstructs windows of the model's length from t*:
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
  private final Options options;

  /**
   * A scorer of series with an engine.
   *
   * @param engine the engine (borrowed)
   * @param window the model's window length
   * @param options scoring mode, causal stride and tail
   */
  NabSeriesScorer(AnomalyEngine engine, int window, Options options) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.window = window;
    this.options = Objects.requireNonNull(options, "options");
  }

  /** The first row whose raw score came from a full window (window - 1 causal, 0 windowed). */
  static int firstRow(Scoring scoring, int window) {
    return scoring == Scoring.CAUSAL ? window - 1 : 0;
  }

  /** The raw per-row scores of one series, before smoothing and z-scoring. */
  double[] score(NabSeries s) {
    float[] norm = NabTrainingSet.normalise(s.values());
    return options.scoring() == Scoring.CAUSAL
        ? causal(engine, norm, window, options.causalStride(), options.causalTail(), s.key())
        : toDouble(engine.scoreSeries(norm, 1, norm.length, s.key()).perStep());
  }

  /**
   * The raw per-row scores of every series of a corpus with a data.format nab model, in corpus
   * order; progress is told per series.
   */
  static List<double[]> scoreCorpus(LoadedModel model, EngineConfig cfg, Options options,
      List<NabSeries> corpus, Progress progress) {
    if (model.manifest().config().data().format() != DataFormat.NAB) {
      throw new IllegalArgumentException("model " + model.manifest().name() + " has data.format "
          + model.manifest().config().data().format().spelling() + "; the NAB evaluation needs "
          + "a data.format nab model (per-series probationary normalisation)");
    }
    try (AnomalyEngine engine = new AnomalyEngine(model, cfg)) {
      NabSeriesScorer scorer =
          new NabSeriesScorer(engine, model.manifest().config().data().size(), options);
      long total = 0;
      for (NabSeries s : corpus) {
        total += s.rows();
      }
      List<double[]> out = new ArrayList<>(corpus.size());
      long done = 0;
      for (NabSeries s : corpus) {
        out.add(scorer.score(s));
        done += s.rows();
        progress.advanced("scoring NAB series", done, total);
      }
      return out;
    }
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
    // Series maps are pixel errors (the engine refuses other maps for series models).
    ai.diffad.config.MapConfig.PixelError pixel = (ai.diffad.config.MapConfig.PixelError) cfg.map();
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
        float[] err = AnomalyMaps.error(tiles[i], r[i], 1, 1, window, pixel.kind(),
            pixel.mixWeights());
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
}
