/**
 * Reverse-process samplers (DDPM ancestral, DDIM, reverse VP-SDE Euler-Maruyama) behind one
 * stateless {@link ai.diffad.model.sampler.Sampler} interface, and the {@link
 * ai.diffad.model.sampler.ReverseProcess} loop that calls the network.
 */
package ai.diffad.model.sampler;
