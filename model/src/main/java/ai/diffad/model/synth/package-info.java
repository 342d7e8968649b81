/**
 * Synthetic anomalies for training a detector from normal images only: Perlin masks and anomaly
 * sources ({@link ai.diffad.model.synth.AnomalySynthesizer}). Pure array code, no files.
 */
package ai.diffad.model.synth;
