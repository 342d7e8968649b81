package ai.diffad.config;

/**
 * Noise for the forward process. Simplex parameters follow AnoDDPM (6 octaves, persistence 0.8,
 * frequency 64 at 256x256).
 *
 * @param kind gaussian or simplex
 * @param octaves simplex octaves, each at twice the frequency of the previous
 * @param persistence amplitude factor between successive octaves, in (0, 1]
 * @param frequency base frequency: spatial period of the first octave is size / frequency pixels
 */
public record NoiseConfig(NoiseKind kind, Integer octaves, Double persistence, Double frequency) {

  /** Validates and fills defaults. */
  public NoiseConfig {
    kind = kind == null ? NoiseKind.GAUSSIAN : kind;
    octaves = octaves == null ? 6 : octaves;
    persistence = persistence == null ? 0.8 : persistence;
    frequency = frequency == null ? 64.0 : frequency;
    Check.inRange("octaves", octaves, 1, 16);
    if (!(persistence > 0 && persistence <= 1)) {
      throw new ConfigException("persistence", "must be in (0, 1], got " + persistence);
    }
    Check.positive("frequency", frequency);
  }

  /** Plain Gaussian noise. */
  public static NoiseConfig gaussian() {
    return new NoiseConfig(NoiseKind.GAUSSIAN, null, null, null);
  }
}
