package ai.diffad.evaluation.run;

import ai.diffad.denoise.data.NabTrainingSet;
import ai.diffad.evaluation.data.NabDataset.NabSeries;
import ai.diffad.evaluation.metrics.NabScorer;
import ai.diffad.evaluation.run.NabEvaluation.Options;
import java.util.Objects;

/**
 * The model-free baseline ({@value NabEvaluation#BASELINE}): the raw score is |value| after the
 * series' probationary normalisation ({@link NabTrainingSet#normalise}), put through
 * {@link NabZScore}; every row is complete from the first.
 */
final class NabValueDetector implements NabDetector {
  private final Options options;

  NabValueDetector(Options options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  /** The baseline's raw scores of one series: |value| after probationary normalisation. */
  static double[] raw(NabSeries s) {
    float[] n = NabTrainingSet.normalise(s.values());
    double[] r = new double[n.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = Math.abs(n[i]);
    }
    return r;
  }

  @Override
  public NabDetection detect(NabSeries series) {
    return NabZScore.of(raw(series), NabProtocol.probationRows(NabScorer.standard(),
        series.rows()), 0, options);
  }
}
