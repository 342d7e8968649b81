/** Seeded noise for the forward and reverse processes: Gaussian and multi-octave simplex. */
package ai.diffad.model.noise;
