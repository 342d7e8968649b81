/** Metrics, dataset readers, benchmark runs and reports. */
package ai.diffad.evaluation;
