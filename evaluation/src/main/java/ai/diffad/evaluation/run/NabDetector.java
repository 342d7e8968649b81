package ai.diffad.evaluation.run;

import ai.diffad.evaluation.data.NabDataset.NabSeries;

/**
 * A detector of the NAB evaluation: one series of the corpus in, its per-row scores (on the z
 * scale of {@link NabZScore}) and its label-free threshold out. No label is read.
 */
interface NabDetector {
  /** The detector's output for one series of the corpus it was set up for. */
  NabDetection detect(NabSeries series);
}
