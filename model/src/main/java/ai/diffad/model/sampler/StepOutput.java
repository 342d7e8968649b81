package ai.diffad.model.sampler;

import ai.djl.ndarray.NDArray;

/**
 * The result of one reverse step (diffusers' {@code (prev_sample, pred_original_sample)}). Both
 * arrays are new, owned by the caller, in the manager of the step's {@code sample}.
 *
 * @param prevSample x_{tPrev}, or the final x_0 when tPrev = -1
 * @param predictedX0 the network's estimate of x_0 at this step (clipped if the sampler clips)
 */
public record StepOutput(NDArray prevSample, NDArray predictedX0) {}
