package ai.diffad.model.sampler;

import ai.diffad.model.schedule.NoiseSchedule;
import ai.djl.ndarray.NDArray;

/**
 * One reverse-process update rule. Samplers are immutable and hold no per-run state: the plan is a
 * value, and every step gets everything it needs as arguments. A sampler never calls the network
 * and never draws random numbers; the caller ({@link ReverseProcess}) does both.
 */
public interface Sampler {

  /**
   * The timesteps of a run of {@code numSteps} network calls starting from a sample at {@code
   * tStart} (see {@link TimestepPlan} for the spacings).
   *
   * @param numSteps number of steps, in [1, tStart + 1]
   * @param tStart noise level of the starting sample, in [0, T - 1]
   * @return the immutable plan
   */
  TimestepPlan timesteps(int numSteps, int tStart);

  /**
   * One step from x_t to x_{tPrev}.
   *
   * @param modelOutput the network output at (sample, t), same shape as sample
   * @param t current timestep, in [0, T - 1]
   * @param tPrev the timestep to move to, in [-1, t); -1 means x_0
   * @param sample x_t
   * @param noise standard noise shaped like sample, or null when {@link #needsNoise} is false
   * @return x_{tPrev} and the predicted x_0, both new arrays in sample's manager
   * @throws IllegalArgumentException if the step is stochastic and noise is null
   */
  StepOutput step(NDArray modelOutput, int t, int tPrev, NDArray sample, NDArray noise);

  /** Whether the step from t to tPrev adds noise, so the caller must supply it. */
  boolean needsNoise(int t, int tPrev);

  /** The schedule of the network this sampler serves. */
  NoiseSchedule schedule();
}
