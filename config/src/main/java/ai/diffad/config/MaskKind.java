package ai.diffad.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Which rows of a series window an imputation model hides and predicts (ImDiffusion, Chen et al.,
 * VLDB 2024): LAST, the last {@code lastRows} rows (a forecast of the newest rows from the older
 * ones: the only mask a causal detector may score with); GRATING, equal strips of the window
 * hidden alternately (two complementary masks, so every row is predicted once from its
 * neighbours on both sides); RANDOM, a random share of the rows; SENSOR, one sensor (channel) over
 * the whole window, imputed from the other sensors (as MSET estimates a sensor from the others: a
 * fault that breaks the sensors' relation cannot be copied from the sensor itself). A model
 * trained with SENSOR masks takes the mask per channel (C mask channels instead of 1).
 */
public enum MaskKind implements Check.Named {
  LAST,
  GRATING,
  RANDOM,
  SENSOR;

  /** Parses the file spelling, case-insensitively. */
  @JsonCreator
  public static MaskKind parse(String text) {
    return Check.named("", MaskKind.class, text);
  }

  @JsonValue
  @Override
  public String spelling() {
    return Check.Named.super.spelling();
  }
}
