package ai.diffad.evaluation.metrics;

/**
 * One image's anomaly map and ground-truth mask, row-major {@code height x width}.
 *
 * @param scores per-pixel anomaly scores, higher = more anomalous
 * @param mask per-pixel ground truth, true = defect (all false for a good image)
 */
public record PixelMap(float[] scores, boolean[] mask, int height, int width) {
  /** Checks that both arrays hold {@code height * width} values. */
  public PixelMap {
    if (height <= 0 || width <= 0) {
      throw new IllegalArgumentException(
          "height and width must be > 0, got " + height + "x" + width);
    }
    if (scores.length != height * width || mask.length != height * width) {
      throw new IllegalArgumentException("scores (" + scores.length + ") and mask (" + mask.length
          + ") must both hold " + height + "x" + width + " = " + height * width + " values");
    }
  }
}
