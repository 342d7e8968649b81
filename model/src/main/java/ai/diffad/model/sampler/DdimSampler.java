package ai.diffad.model.sampler;

import ai.diffad.config.PredictionType;
import ai.diffad.model.Tensors;
import ai.diffad.model.schedule.NoiseSchedule;
import ai.djl.ndarray.NDArray;

/**
 * DDIM (Song, Meng & Ermon 2021), as diffusers' {@code DDIMScheduler.step} with {@code
 * set_alpha_to_one=True} and {@code use_clipped_model_output=False}: clipping changes the x_0
 * term but the direction term keeps the network's epsilon. eta = 0 is deterministic.
 */
public final class DdimSampler extends AbstractSampler {

  /**
   * @param schedule the network's schedule
   * @param type what the network predicts
   * @param options eta, spacing and clipping are used
   */
  public DdimSampler(NoiseSchedule schedule, PredictionType type, SamplerOptions options) {
    super(schedule, type, options);
  }

  /**
   * sigma_t(eta) of Song et al. 2021, eq. 16, for the step t -> tPrev:
   * {@code eta * sqrt((1 - abar_prev) / (1 - abar_t)) * sqrt(1 - abar_t / abar_prev)}.
   */
  public double sigma(int t, int tPrev) {
    double abT = schedule.alphaBar(t);
    double abPrev = schedule.alphaBar(tPrev);
    return options.eta() * Math.sqrt((1 - abPrev) / (1 - abT) * (1 - abT / abPrev));
  }

  @Override
  public boolean needsNoise(int t, int tPrev) {
    return options.eta() > 0 && tPrev >= 0;
  }

  @Override
  public StepOutput step(NDArray modelOutput, int t, int tPrev, NDArray sample, NDArray noise) {
    checkStep(t, tPrev, noise);
    double abPrev = schedule.alphaBar(tPrev);
    // Song et al. 2021, eq. 12: "predicted x_0" (eq. 9 via Predictions), optionally clipped.
    NDArray x0 = predictX0(modelOutput, sample, t);
    double sigma = sigma(t, tPrev);
    try (NDArray eps = predictions.epsilon(modelOutput, sample, t)) {
      // eq. 12: x_prev = sqrt(abar_prev) x0 + sqrt(1 - abar_prev - sigma^2) eps + sigma z
      double direction = Math.sqrt(Math.max(0.0, 1.0 - abPrev - sigma * sigma));
      NDArray prev = Tensors.lin(Math.sqrt(abPrev), x0, direction, eps);
      if (sigma > 0 && noise != null) {
        addScaled(prev, sigma, noise);
      }
      return new StepOutput(prev, x0);
    }
  }

  @Override
  public String toString() {
    return "DdimSampler[" + predictionType().spelling() + ", " + options + "]";
  }
}
