package ai.diffad.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Denoising output: the network's one-step MMSE estimate of x0 (best PSNR) or the full reverse chain (sharper texture). */
public enum DenoiseMode implements Check.Named {
  MMSE,
  SAMPLE;

  /** Parses the file spelling, case-insensitively. */
  @JsonCreator
  public static DenoiseMode parse(String text) {
    return Check.named("", DenoiseMode.class, text);
  }

  @JsonValue
  @Override
  public String spelling() {
    return Check.Named.super.spelling();
  }
}
