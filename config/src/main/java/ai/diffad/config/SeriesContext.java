package ai.diffad.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Context channels a series model sees beside its value channels (data.context). NONE: the values
 * only. DAILY: per value channel one more channel holding, at each row, the mean of the same time
 * of day over every earlier day of the series (rows per day from the median timestamp step); rows
 * with no earlier day hold 0 (the normalised series' probationary mean). The context is built from
 * earlier rows only, so a causal scorer may use it; an imputer never hides it and never scores it:
 * it says what the hidden rows usually look like at that hour, so a daily rhythm is not mistaken
 * for an anomaly and a pattern that breaks the rhythm is (NAB 58.7 to 63.8 at the same training
 * steps, BENCHMARKS.md).
 */
public enum SeriesContext implements Check.Named {
  NONE,
  DAILY;

  /** Context channels added to {@code valueChannels} value channels. */
  public int channels(int valueChannels) {
    return this == NONE ? 0 : valueChannels;
  }

  /** Parses the file spelling, case-insensitively. */
  @JsonCreator
  public static SeriesContext parse(String text) {
    return Check.named("", SeriesContext.class, text);
  }

  @JsonValue
  @Override
  public String spelling() {
    return Check.Named.super.spelling();
  }
}
