package ai.diffad.model.sampler;

import ai.diffad.config.PredictionType;
import ai.diffad.config.SamplerKind;
import ai.diffad.model.schedule.NoiseSchedule;
import java.util.Objects;

/** Creates the sampler a configuration names. */
public final class Samplers {
  private Samplers() {}

  /**
   * @param kind ddpm, ddim or sde
   * @param schedule the network's schedule
   * @param type what the network predicts
   * @param options eta, spacing, variance and clipping (each sampler reads what concerns it)
   * @return a stateless sampler
   */
  public static Sampler create(
      SamplerKind kind, NoiseSchedule schedule, PredictionType type, SamplerOptions options) {
    Objects.requireNonNull(kind, "kind");
    switch (kind) {
      case DDPM:
        return new DdpmSampler(schedule, type, options);
      case DDIM:
        return new DdimSampler(schedule, type, options);
      case SDE:
        return new SdeSampler(schedule, type, options);
      default:
        throw new IllegalArgumentException("unsupported sampler kind " + kind);
    }
  }

  /** {@link #create(SamplerKind, NoiseSchedule, PredictionType, SamplerOptions)} with defaults. */
  public static Sampler create(SamplerKind kind, NoiseSchedule schedule, PredictionType type) {
    return create(kind, schedule, type, SamplerOptions.defaults());
  }
}
