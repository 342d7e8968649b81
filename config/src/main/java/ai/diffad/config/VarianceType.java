package ai.diffad.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** DDPM ancestral variance: the posterior variance (fixed-small) or beta_t (fixed-large). */
public enum VarianceType implements Check.Named {
  FIXED_SMALL,
  FIXED_LARGE;

  /** Parses the file spelling (for example {@code fixed-large}), case-insensitively. */
  @JsonCreator
  public static VarianceType parse(String text) {
    return Check.named("", VarianceType.class, text);
  }

  @JsonValue
  @Override
  public String spelling() {
    return Check.Named.super.spelling();
  }
}
