package ai.diffad.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * How training data are read: a folder of images (recursive), an MVTec-layout category
 * (train/good), MNIST idx files, sensor series, or a NAB corpus.
 */
public enum DataFormat implements Check.Named {
  IMAGES,
  MVTEC,
  MNIST_IDX,
  SENSOR,
  /**
   * A Numenta Anomaly Benchmark corpus ({@code data/<group>/<series>.csv}, timestamp,value): only
   * each series' probationary part (the first 15 %, at most 750 rows, as NAB defines it) is read,
   * each normalised by its own mean and standard deviation; one-channel windows of data.size with
   * stride data.stride. The model stores channelMean 0 and channelStd 1, since every series has
   * its own statistics: scoring must normalise each series by its probationary part the same way.
   */
  NAB;

  /** Whether the data are series (one-dimensional windows, a UNet1d) rather than images. */
  public boolean isSeries() {
    return this == SENSOR || this == NAB;
  }

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
