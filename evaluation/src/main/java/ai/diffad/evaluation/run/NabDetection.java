package ai.diffad.evaluation.run;

/**
 * A series' detector output.
 *
 * @param scores the detector's z per row
 * @param labelFreeThreshold the series' label-free threshold on {@code scores}
 * @param raw the per-row input of the z-score rule (a fusion's: the larger of its two z)
 */
record NabDetection(double[] scores, double labelFreeThreshold, double[] raw) {}
