/** The engine: image and tensor I/O, tiling, partial-noise-and-reconstruct, anomaly maps, calibration, denoising. */
package ai.diffad.denoise;
