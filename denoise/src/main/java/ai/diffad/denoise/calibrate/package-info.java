/**
 * Calibration of anomaly scores on normal data, as anomalib's post-processor does it: a threshold
 * on the raw score (a quantile of normal scores, or F1-optimal on labelled validation scores) and
 * a min-max normalisation that maps the threshold to 0.5, stored with the model as
 * {@code calibration.json} together with the engine settings the scores were made with.
 */
package ai.diffad.denoise.calibrate;
