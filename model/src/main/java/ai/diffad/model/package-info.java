/** The diffusion model: schedules, forward process, noise, networks, samplers, training, artifact. Pure tensor code. */
package ai.diffad.model;
