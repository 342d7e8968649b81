/**
 * Denoising with a trained diffusion model: estimate the input's Gaussian noise level, enter the
 * chain at the step whose noise level matches, and return the network's one-step MMSE estimate of
 * the clean image or the result of the reverse chain from there.
 */
package ai.diffad.denoise.denoising;
