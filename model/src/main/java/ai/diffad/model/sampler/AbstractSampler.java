package ai.diffad.model.sampler;

import ai.diffad.config.PredictionType;
import ai.diffad.model.Predictions;
import ai.diffad.model.schedule.NoiseSchedule;
import ai.djl.ndarray.NDArray;
import java.util.Objects;

/** What the samplers share: the schedule, prediction conversions, options, checks. */
abstract class AbstractSampler implements Sampler {
  final NoiseSchedule schedule;
  final Predictions predictions;
  final SamplerOptions options;

  AbstractSampler(NoiseSchedule schedule, PredictionType type, SamplerOptions options) {
    this.schedule = Objects.requireNonNull(schedule, "schedule");
    this.predictions = new Predictions(schedule, Objects.requireNonNull(type, "type"));
    this.options = Objects.requireNonNull(options, "options");
  }

  @Override
  public TimestepPlan timesteps(int numSteps, int tStart) {
    return TimestepPlan.of(options.spacing(), schedule.timesteps(), numSteps, tStart);
  }

  @Override
  public NoiseSchedule schedule() {
    return schedule;
  }

  /** The options this sampler was built with. */
  public SamplerOptions options() {
    return options;
  }

  /** What the network predicts. */
  public PredictionType predictionType() {
    return predictions.type();
  }

  void checkStep(int t, int tPrev, NDArray noise) {
    if (t < 0 || t >= schedule.timesteps()) {
      throw new IllegalArgumentException(
          "t must be in [0, " + (schedule.timesteps() - 1) + "], got " + t);
    }
    if (tPrev < -1 || tPrev >= t) {
      throw new IllegalArgumentException("tPrev must be in [-1, t = " + t + "), got " + tPrev);
    }
    if (noise == null && needsNoise(t, tPrev)) {
      throw new IllegalArgumentException(
          getClass().getSimpleName() + " step " + t + " -> " + tPrev + " is stochastic and needs noise");
    }
  }

  /** Predicted x_0, clipped when the options say so; a new array the caller owns. */
  NDArray predictX0(NDArray modelOutput, NDArray sample, int t) {
    NDArray x0 = predictions.x0(modelOutput, sample, t);
    if (!options.clip()) {
      return x0;
    }
    try (NDArray raw = x0) {
      return raw.clip(-options.clipRange(), options.clipRange());
    }
  }

  /**
   * beta of the respaced schedule for a step t -> tPrev: {@code 1 - alphaBar_t / alphaBar_tPrev}
   * (Nichol & Dhariwal 2021, sec. 4, "respacing"); equals beta_t when tPrev = t - 1.
   */
  double stepBeta(int t, int tPrev) {
    return 1.0 - schedule.alphaBar(t) / schedule.alphaBar(tPrev);
  }

  /** {@code out += scale * noise}. */
  static void addScaled(NDArray out, double scale, NDArray noise) {
    try (NDArray scaled = noise.mul(scale)) {
      out.addi(scaled);
    }
  }
}
