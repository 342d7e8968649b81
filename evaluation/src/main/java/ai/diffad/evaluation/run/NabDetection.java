package ai.diffad.evaluation.run;

/**
 * A series' detector output.
 *
 * @param scores the detector's z per row
 * @param labelFreeThreshold the series' label-free threshold on {@code scores}
 */
record NabDetection(double[] scores, double labelFreeThreshold) {}
