package ai.diffad.evaluation.run;

import ai.diffad.evaluation.data.NabDataset.NabSeries;
import ai.diffad.evaluation.metrics.NabScorer;
import ai.diffad.evaluation.run.NabEvaluation.Options;
import java.util.Objects;

/**
 * The fusion of two detectors ({@value NabEvaluation#FUSION} for diffad's and the value
 * z-score's): per row the larger of the two z-scores, put through {@link NabZScore} once more
 * (without smoothing, z-scored against the probationary rows, label-free threshold from their
 * quantile), so that one threshold serves the corpus and one label-free rule each series.
 */
final class NabFusionDetector implements NabDetector {
  private final NabDetector a;
  private final NabDetector b;
  private final int firstRow;
  private final Options again;

  /**
   * The fusion of {@code a} and {@code b}.
   *
   * @param firstRow first complete row of both (the later of their first rows)
   * @param options the detector settings (smoothing and history are not applied again)
   */
  NabFusionDetector(NabDetector a, NabDetector b, int firstRow, Options options) {
    this.a = Objects.requireNonNull(a, "a");
    this.b = Objects.requireNonNull(b, "b");
    this.firstRow = firstRow;
    this.again = new Options(options.scoring(), options.causalStride(),
        options.causalTail(), 1, 0, options.refractory(), options.labelFreeQuantile(),
        options.labelFreeFactor());
  }

  @Override
  public NabDetection detect(NabSeries series) {
    double[] za = a.detect(series).scores();
    double[] zb = b.detect(series).scores();
    double[] m = new double[za.length];
    for (int t = 0; t < m.length; t++) {
      m[t] = Math.max(za[t], zb[t]);
    }
    int p = NabProtocol.probationRows(NabScorer.standard(), series.rows());
    return NabZScore.of(m, p, firstRow, again);
  }
}
