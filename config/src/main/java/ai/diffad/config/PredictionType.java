package ai.diffad.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** What the network predicts: the noise, the velocity v, or the clean sample. */
public enum PredictionType implements Check.Named {
  EPSILON,
  V,
  SAMPLE;

  /** Parses the file spelling (for example {@code v}), case-insensitively. */
  @JsonCreator
  public static PredictionType parse(String text) {
    return Check.named("", PredictionType.class, text);
  }

  @JsonValue
  @Override
  public String spelling() {
    return Check.Named.super.spelling();
  }
}
