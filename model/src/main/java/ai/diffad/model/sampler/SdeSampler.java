package ai.diffad.model.sampler;

import ai.diffad.config.PredictionType;
import ai.diffad.model.Tensors;
import ai.diffad.model.schedule.NoiseSchedule;
import ai.djl.ndarray.NDArray;

/**
 * Euler-Maruyama on the reverse-time VP SDE (Song et al. 2021, "Score-based generative modeling
 * through SDEs", eqs. 6 and 11): dx = [-beta/2 x - beta score] dt + sqrt(beta) dw, with the score
 * taken from the noise prediction, score = -eps / sqrt(1 - abar_t). One step t -> tPrev uses the
 * integrated beta of that interval, beta' = 1 - abar_t / abar_tPrev:
 *
 * <pre>x_prev = (1 + beta'/2) x_t + beta' score + sqrt(beta') z</pre>
 *
 * <p>The last step (to x_0) returns the drift only, without noise (as score_sde's {@code
 * denoise=True}). Euler-Maruyama is first order: it needs many steps (hundreds) to be accurate.
 * Clipping affects only the reported predicted x_0, not the update.
 */
public final class SdeSampler extends AbstractSampler {

  /**
   * @param schedule the network's schedule
   * @param type what the network predicts
   * @param options spacing and clipping are used
   */
  public SdeSampler(NoiseSchedule schedule, PredictionType type, SamplerOptions options) {
    super(schedule, type, options);
  }

  @Override
  public boolean needsNoise(int t, int tPrev) {
    return tPrev >= 0;
  }

  @Override
  public StepOutput step(NDArray modelOutput, int t, int tPrev, NDArray sample, NDArray noise) {
    checkStep(t, tPrev, noise);
    double beta = stepBeta(t, tPrev);
    double sqrtOneMinusAb = Math.sqrt(1.0 - schedule.alphaBar(t));
    NDArray x0 = predictX0(modelOutput, sample, t);
    try (NDArray eps = predictions.epsilon(modelOutput, sample, t)) {
      // x_prev = (1 + beta/2) x + beta * score, score = -eps / sqrt(1 - abar_t)
      NDArray prev = Tensors.lin(1.0 + beta / 2.0, sample, -beta / sqrtOneMinusAb, eps);
      if (tPrev >= 0) {
        addScaled(prev, Math.sqrt(beta), noise);
      }
      return new StepOutput(prev, x0);
    }
  }

  @Override
  public String toString() {
    return "SdeSampler[" + predictionType().spelling() + ", " + options + "]";
  }
}
