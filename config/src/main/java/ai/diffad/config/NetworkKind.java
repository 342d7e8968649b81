package ai.diffad.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Network architecture: 2-D U-Net for images, 1-D U-Net for sensor windows. */
public enum NetworkKind implements Check.Named {
  UNET2D,
  UNET1D;

  /** Parses the file spelling (for example {@code unet1d}), case-insensitively. */
  @JsonCreator
  public static NetworkKind parse(String text) {
    return Check.named("", NetworkKind.class, text);
  }

  @JsonValue
  @Override
  public String spelling() {
    return Check.Named.super.spelling();
  }
}
