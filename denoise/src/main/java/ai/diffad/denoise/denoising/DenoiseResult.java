package ai.diffad.denoise.denoising;

/**
 * A denoised image and how it was made.
 *
 * @param image planar (C, H, W) values in [-1, 1], the input's size
 * @param channels C
 * @param height H
 * @param width W
 * @param sigma the noise level used, 0-255 scale
 * @param sigmaEstimated whether {@code sigma} was estimated from the image ({@link NoiseEstimator})
 *     rather than given by the caller
 * @param t the step the chain was entered at, or -1 when the input was returned unchanged
 * @param sigmaEquiv the noise level of step t (0-255 scale), 0 when unchanged
 * @param unchanged whether the input was returned as it was because sigma is below the noise
 *     level of the schedule's first step
 * @param note a human-readable remark (why the input is unchanged, t outside the trained range),
 *     or the empty string
 */
public record DenoiseResult(
    float[] image,
    int channels,
    int height,
    int width,
    double sigma,
    boolean sigmaEstimated,
    int t,
    double sigmaEquiv,
    boolean unchanged,
    String note) {}
