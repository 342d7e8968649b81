package ai.diffad.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Which rows of a series window an imputation model hides and predicts (ImDiffusion, Chen et al.,
 * VLDB 2024): LAST, the last {@code lastRows} rows (a forecast of the newest rows from the older
 * ones: the only mask a causal detector may score with); GRATING, equal strips of the window
 * hidden alternately (two complementary masks, so every row is predicted once from its
 * neighbours on both sides); RANDOM, a random share of the rows.
 */
public enum MaskKind implements Check.Named {
  LAST,
  GRATING,
  RANDOM;

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
