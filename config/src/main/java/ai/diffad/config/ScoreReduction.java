package ai.diffad.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** How an anomaly map becomes one score: its maximum, the mean of its top-k percent, or its mean. */
public enum ScoreReduction implements Check.Named {
  MAX,
  TOP_K,
  MEAN;

  /** Parses the file spelling, case-insensitively. */
  @JsonCreator
  public static ScoreReduction parse(String text) {
    return Check.named("", ScoreReduction.class, text);
  }

  @JsonValue
  @Override
  public String spelling() {
    return Check.Named.super.spelling();
  }
}
