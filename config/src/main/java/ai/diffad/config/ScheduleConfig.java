package ai.diffad.config;

/**
 * The forward-process noise schedule.
 *
 * @param kind linear, scaled-linear, cosine or sigmoid
 * @param timesteps T, the number of diffusion steps; t runs 0..T-1
 * @param betaStart first beta (ignored by cosine); default depends on the kind
 * @param betaEnd last beta (ignored by cosine); default depends on the kind
 */
public record ScheduleConfig(ScheduleKind kind, Integer timesteps, Double betaStart, Double betaEnd) {

  /** Validates and fills defaults: linear and sigmoid 1e-4..0.02 (Ho et al.), scaled-linear 0.00085..0.012. */
  public ScheduleConfig {
    kind = kind == null ? ScheduleKind.LINEAR : kind;
    timesteps = timesteps == null ? 1000 : timesteps;
    Check.inRange("timesteps", timesteps, 2, 100_000);
    boolean scaled = kind == ScheduleKind.SCALED_LINEAR;
    betaStart = betaStart == null ? (scaled ? 0.00085 : 1e-4) : betaStart;
    betaEnd = betaEnd == null ? (scaled ? 0.012 : 0.02) : betaEnd;
    Check.inHalfOpen("betaStart", betaStart, 0.0, 1.0);
    Check.inHalfOpen("betaEnd", betaEnd, 0.0, 1.0);
    if (betaStart <= 0) {
      throw new ConfigException("betaStart", "must be > 0, got " + betaStart);
    }
    if (betaEnd < betaStart) {
      throw new ConfigException(
          "betaEnd", "must be >= betaStart (" + betaStart + "), got " + betaEnd);
    }
  }

  /** The default schedule of a kind with T steps. */
  public static ScheduleConfig of(ScheduleKind kind, int timesteps) {
    return new ScheduleConfig(kind, timesteps, null, null);
  }
}
