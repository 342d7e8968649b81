package ai.diffad.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Reverse-process sampler: DDPM ancestral, DDIM, or reverse VP-SDE Euler-Maruyama. */
public enum SamplerKind implements Check.Named {
  DDPM,
  DDIM,
  SDE;

  /** Parses the file spelling (for example {@code ddim}), case-insensitively. */
  @JsonCreator
  public static SamplerKind parse(String text) {
    return Check.named("", SamplerKind.class, text);
  }

  @JsonValue
  @Override
  public String spelling() {
    return Check.Named.super.spelling();
  }
}
