/**
 * The anomaly engine: tiling ({@link ai.diffad.denoise.engine.Tiler}), partial noising and
 * reconstruction ({@link ai.diffad.denoise.engine.Reconstructor}), anomaly maps and scores
 * ({@link ai.diffad.denoise.engine.AnomalyMaps}), and the entry point the CLI and Flink call
 * ({@link ai.diffad.denoise.engine.AnomalyEngine}). Only Java arrays and records leave this
 * package; every NDArray lives in a per-batch sub-manager of the model's manager.
 */
package ai.diffad.denoise.engine;
