package ai.diffad.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** How the calibrated threshold is chosen: a quantile of normal scores, or F1-optimal on labelled validation data. */
public enum ThresholdMethod implements Check.Named {
  QUANTILE,
  F1;

  /** Parses the file spelling, case-insensitively. */
  @JsonCreator
  public static ThresholdMethod parse(String text) {
    return Check.named("", ThresholdMethod.class, text);
  }

  @JsonValue
  @Override
  public String spelling() {
    return Check.Named.super.spelling();
  }
}
