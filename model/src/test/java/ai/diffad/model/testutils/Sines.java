package ai.diffad.model.testutils;

import ai.diffad.model.train.TrainingSet;

/**
 * Series of sines for imputation and sensor tests: {@code count} items of (channels, length), item
 * i of channel c being sin(2 pi (t + 3 i + 5 c) / period).
 */
public final class Sines implements TrainingSet {
  private final int count;
  private final int channels;
  private final int length;
  private final double period;

  public Sines(int count, int channels, int length, double period) {
    this.count = count;
    this.channels = channels;
    this.length = length;
    this.period = period;
  }

  /** Value of channel c of item i at row t. */
  public double value(int i, int c, int t) {
    return Math.sin(2 * Math.PI * (t + 3 * i + 5 * c) / period);
  }

  @Override
  public int size() {
    return count;
  }

  @Override
  public int channels() {
    return channels;
  }

  @Override
  public int height(int i) {
    return 1;
  }

  @Override
  public int width(int i) {
    return length;
  }

  @Override
  public float[] item(int i) {
    float[] out = new float[channels * length];
    for (int c = 0; c < channels; c++) {
      for (int t = 0; t < length; t++) {
        out[c * length + t] = (float) value(i, c, t);
      }
    }
    return out;
  }

  @Override
  public String description() {
    return count + " sines of " + length + " rows";
  }
}
