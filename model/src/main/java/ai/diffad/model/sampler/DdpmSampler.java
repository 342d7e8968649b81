package ai.diffad.model.sampler;

import ai.diffad.config.PredictionType;
import ai.diffad.config.VarianceType;
import ai.diffad.model.Tensors;
import ai.diffad.model.schedule.NoiseSchedule;
import ai.djl.ndarray.NDArray;

/**
 * Ancestral sampling from the posterior q(x_{t-1} | x_t, x_0) with the network's x_0 plugged in
 * (Ho et al. 2020, eqs. 6-7; diffusers' {@code DDPMScheduler.step}). With fewer steps than
 * timesteps the posterior of the respaced schedule is used: for a step t -> tPrev,
 * beta' = 1 - abar_t / abar_tPrev (Nichol & Dhariwal 2021, sec. 4). The last step (to x_0) adds no
 * noise.
 */
public final class DdpmSampler extends AbstractSampler {

  /**
   * The Gaussian posterior of one step: mean = x0Coef * x_0 + xtCoef * x_t, variance.
   *
   * @param x0Coef sqrt(abar_prev) beta' / (1 - abar_t)
   * @param xtCoef sqrt(alpha') (1 - abar_prev) / (1 - abar_t)
   * @param variance beta_tilde = (1 - abar_prev) / (1 - abar_t) beta' (fixed-small) or beta'
   *     (fixed-large); 0 for the last step
   */
  public record Posterior(double x0Coef, double xtCoef, double variance) {}

  /**
   * @param schedule the network's schedule
   * @param type what the network predicts
   * @param options variance, spacing and clipping are used
   */
  public DdpmSampler(NoiseSchedule schedule, PredictionType type, SamplerOptions options) {
    super(schedule, type, options);
  }

  /**
   * The posterior coefficients of the step t -> tPrev (Ho et al. 2020, eq. 7, on the respaced
   * schedule).
   */
  public Posterior posterior(int t, int tPrev) {
    double abT = schedule.alphaBar(t);
    double abPrev = schedule.alphaBar(tPrev);
    double beta = stepBeta(t, tPrev);
    double alpha = 1.0 - beta;
    double x0Coef = Math.sqrt(abPrev) * beta / (1.0 - abT);
    double xtCoef = Math.sqrt(alpha) * (1.0 - abPrev) / (1.0 - abT);
    double variance;
    if (tPrev < 0) {
      variance = 0.0;
    } else if (options.variance() == VarianceType.FIXED_LARGE) {
      variance = beta;
    } else {
      variance = (1.0 - abPrev) / (1.0 - abT) * beta;
    }
    return new Posterior(x0Coef, xtCoef, variance);
  }

  @Override
  public boolean needsNoise(int t, int tPrev) {
    return tPrev >= 0;
  }

  @Override
  public StepOutput step(NDArray modelOutput, int t, int tPrev, NDArray sample, NDArray noise) {
    checkStep(t, tPrev, noise);
    Posterior p = posterior(t, tPrev);
    NDArray x0 = predictX0(modelOutput, sample, t);
    // Ho et al. 2020, eq. 7: mu_tilde(x_t, x_0); then x_prev = mu + sigma z (Algorithm 2, line 4).
    NDArray prev = Tensors.lin(p.x0Coef(), x0, p.xtCoef(), sample);
    if (p.variance() > 0) {
      addScaled(prev, Math.sqrt(p.variance()), noise);
    }
    return new StepOutput(prev, x0);
  }

  @Override
  public String toString() {
    return "DdpmSampler[" + predictionType().spelling() + ", " + options + "]";
  }
}
