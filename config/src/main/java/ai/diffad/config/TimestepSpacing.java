package ai.diffad.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** How a sampler spreads its steps over [0, t_start] (diffusers names). */
public enum TimestepSpacing implements Check.Named {
  LINSPACE,
  LEADING,
  TRAILING;

  /** Parses the file spelling (for example {@code leading}), case-insensitively. */
  @JsonCreator
  public static TimestepSpacing parse(String text) {
    return Check.named("", TimestepSpacing.class, text);
  }

  @JsonValue
  @Override
  public String spelling() {
    return Check.Named.super.spelling();
  }
}
