package ai.diffad.model;

import ai.djl.ndarray.NDArray;

/**
 * The network as the reverse process sees it: one call maps a noisy batch to the model output
 * (noise, velocity or clean sample, depending on the model's {@code PredictionType}). Samplers
 * never call it; the reconstruction loop does.
 */
@FunctionalInterface
public interface NetworkFn {
  /**
   * @param x noisy batch, float32, shape (N, C, H, W) for images or (N, C, L) for series
   * @param t timesteps, float32, shape (N), values in 0..T-1
   * @param labels class labels, int32, shape (N), or {@code null} for an unconditional call
   * @return the model output, same shape as {@code x}, attached to {@code x}'s manager
   */
  NDArray apply(NDArray x, NDArray t, NDArray labels);
}
