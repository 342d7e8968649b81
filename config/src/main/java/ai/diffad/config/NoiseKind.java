package ai.diffad.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Noise used by the forward process: i.i.d. Gaussian, or multi-octave simplex (AnoDDPM). */
public enum NoiseKind implements Check.Named {
  GAUSSIAN,
  SIMPLEX;

  /** Parses the file spelling (for example {@code simplex}), case-insensitively. */
  @JsonCreator
  public static NoiseKind parse(String text) {
    return Check.named("", NoiseKind.class, text);
  }

  @JsonValue
  @Override
  public String spelling() {
    return Check.Named.super.spelling();
  }
}
