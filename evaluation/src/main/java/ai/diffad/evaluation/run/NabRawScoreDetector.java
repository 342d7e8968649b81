package ai.diffad.evaluation.run;

import ai.diffad.evaluation.data.NabDataset.NabSeries;
import ai.diffad.evaluation.metrics.NabScorer;
import ai.diffad.evaluation.run.NabEvaluation.Options;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A detector on raw scores computed beforehand, one array per series of a corpus (diffad's
 * reconstruction errors from {@link NabSeriesScorer}), put through {@link NabZScore}.
 */
final class NabRawScoreDetector implements NabDetector {
  private final Map<NabSeries, double[]> raw = new IdentityHashMap<>();
  private final int firstRow;
  private final Options options;

  /**
   * A detector on a corpus' raw scores.
   *
   * @param corpus the series
   * @param raw their raw scores, in corpus order, one per row
   * @param firstRow first row whose raw score is complete (see {@link NabZScore#of})
   * @param options the detector settings
   * @throws IllegalArgumentException if the raw scores do not match the corpus' series and rows
   */
  NabRawScoreDetector(List<NabSeries> corpus, List<double[]> raw, int firstRow, Options options) {
    if (corpus.size() != raw.size()) {
      throw new IllegalArgumentException(corpus.size() + " series but " + raw.size()
          + " score arrays");
    }
    for (int i = 0; i < corpus.size(); i++) {
      NabSeries s = corpus.get(i);
      if (raw.get(i).length != s.rows()) {
        throw new IllegalArgumentException(s.key() + ": " + raw.get(i).length + " scores for "
            + s.rows() + " rows");
      }
      this.raw.put(s, raw.get(i));
    }
    this.firstRow = firstRow;
    this.options = Objects.requireNonNull(options, "options");
  }

  @Override
  public NabDetection detect(NabSeries series) {
    double[] r = raw.get(series);
    if (r == null) {
      throw new IllegalArgumentException(series.key() + " is not a series of this corpus");
    }
    return NabZScore.of(r, NabProtocol.probationRows(NabScorer.standard(), series.rows()),
        firstRow, options);
  }
}
