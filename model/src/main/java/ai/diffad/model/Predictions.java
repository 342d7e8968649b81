package ai.diffad.model;

import ai.diffad.config.PredictionType;
import ai.diffad.model.schedule.NoiseSchedule;
import ai.djl.ndarray.NDArray;
import java.util.Objects;

/**
 * The one place that converts between what a network predicts (noise epsilon, velocity v, or the
 * clean sample) and the pair (predicted x_0, predicted epsilon) that samplers need. With a =
 * sqrt(alphaBar_t) and b = sqrt(1 - alphaBar_t), x_t = a x_0 + b eps and v = a eps - b x_0, so
 * (Salimans & Ho 2022, sec. 4):
 *
 * <ul>
 *   <li>epsilon: x_0 = (x_t - b eps) / a (Ho et al. 2020, eq. 15);
 *   <li>v: x_0 = a x_t - b v, eps = b x_t + a v;
 *   <li>sample: eps = (x_t - a x_0) / b.
 * </ul>
 *
 * <p>Every method returns a new array in the first argument's manager that the caller owns (also
 * where it equals an input, so callers can close results uniformly). Immutable.
 */
public final class Predictions {
  private final NoiseSchedule schedule;
  private final PredictionType type;

  /**
   * @param schedule the schedule the network was trained with
   * @param type what the network predicts
   */
  public Predictions(NoiseSchedule schedule, PredictionType type) {
    this.schedule = Objects.requireNonNull(schedule, "schedule");
    this.type = Objects.requireNonNull(type, "type");
  }

  /** What the network predicts. */
  public PredictionType type() {
    return type;
  }

  /** The schedule used for the conversions. */
  public NoiseSchedule schedule() {
    return schedule;
  }

  /**
   * The predicted clean sample.
   *
   * @param modelOutput network output at (x_t, t)
   * @param xt the noisy input
   * @param t timestep in 0..T-1
   * @return x_0 estimate (unclipped)
   */
  public NDArray x0(NDArray modelOutput, NDArray xt, int t) {
    double a = Math.sqrt(schedule.alphaBar(t));
    double b = Math.sqrt(1.0 - schedule.alphaBar(t));
    switch (type) {
      case EPSILON:
        return Tensors.lin(-b / a, modelOutput, 1.0 / a, xt);
      case V:
        return Tensors.lin(-b, modelOutput, a, xt);
      case SAMPLE:
        return modelOutput.duplicate();
      default:
        throw new IllegalArgumentException("unsupported prediction type " + type);
    }
  }

  /**
   * The predicted noise.
   *
   * @param modelOutput network output at (x_t, t)
   * @param xt the noisy input
   * @param t timestep in 0..T-1
   * @return epsilon estimate
   */
  public NDArray epsilon(NDArray modelOutput, NDArray xt, int t) {
    double a = Math.sqrt(schedule.alphaBar(t));
    double b = Math.sqrt(1.0 - schedule.alphaBar(t));
    switch (type) {
      case EPSILON:
        return modelOutput.duplicate();
      case V:
        return Tensors.lin(a, modelOutput, b, xt);
      case SAMPLE:
        return epsilonFromX0(schedule, xt, modelOutput, t);
      default:
        throw new IllegalArgumentException("unsupported prediction type " + type);
    }
  }

  /**
   * What a perfect network of this type outputs for a consistent pair (x_0, eps) at t; the
   * training target.
   *
   * @param x0 clean sample
   * @param eps noise
   * @param t timestep in 0..T-1
   * @return eps, v = a eps - b x_0, or x_0
   */
  public NDArray modelOutput(NDArray x0, NDArray eps, int t) {
    double a = Math.sqrt(schedule.alphaBar(t));
    double b = Math.sqrt(1.0 - schedule.alphaBar(t));
    switch (type) {
      case EPSILON:
        return eps.duplicate();
      case V:
        return Tensors.lin(a, eps, -b, x0);
      case SAMPLE:
        return x0.duplicate();
      default:
        throw new IllegalArgumentException("unsupported prediction type " + type);
    }
  }

  /**
   * The noise implied by x_t and an estimate of x_0: {@code (x_t - a x_0) / b}. Also the oracle a
   * test network uses when it knows x_0.
   *
   * @param schedule the schedule
   * @param xt the noisy sample
   * @param x0 the (estimated) clean sample
   * @param t timestep in 0..T-1
   * @return epsilon, in {@code xt}'s manager
   */
  public static NDArray epsilonFromX0(NoiseSchedule schedule, NDArray xt, NDArray x0, int t) {
    double a = Math.sqrt(schedule.alphaBar(t));
    double b = Math.sqrt(1.0 - schedule.alphaBar(t));
    return Tensors.lin(1.0 / b, xt, -a / b, x0);
  }
}
