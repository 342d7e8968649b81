package ai.diffad.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Beta schedule of the forward process (DESIGN.md, "The diffusion core"). */
public enum ScheduleKind implements Check.Named {
  LINEAR,
  SCALED_LINEAR,
  COSINE,
  SIGMOID;

  /** Parses the file spelling (for example {@code scaled-linear}), case-insensitively. */
  @JsonCreator
  public static ScheduleKind parse(String text) {
    return Check.named("", ScheduleKind.class, text);
  }

  @JsonValue
  @Override
  public String spelling() {
    return Check.Named.super.spelling();
  }
}
