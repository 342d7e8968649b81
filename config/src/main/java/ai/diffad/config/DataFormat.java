package ai.diffad.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** How training data are read: a folder of images (recursive), an MVTec-layout category (train/good), MNIST idx files, or sensor series. */
public enum DataFormat implements Check.Named {
  IMAGES,
  MVTEC,
  MNIST_IDX,
  SENSOR;

  /** Parses the file spelling (for example {@code mvtec}), case-insensitively. */
  @JsonCreator
  public static DataFormat parse(String text) {
    return Check.named("", DataFormat.class, text);
  }

  @JsonValue
  @Override
  public String spelling() {
    return Check.Named.super.spelling();
  }
}
