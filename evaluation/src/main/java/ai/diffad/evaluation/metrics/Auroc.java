package ai.diffad.evaluation.metrics;

import java.util.List;

/** Area under the ROC curve, exact, ties counted 0.5 (the Mann–Whitney U statistic / (P·N)). */
public final class Auroc {
  private Auroc() {}

  /** Image-level AUROC: one score per image, label true = defective. */
  public static double image(double[] scores, boolean[] labels) {
    return BinaryCurve.of(scores, labels).auroc();
  }

  /** Pixel-level AUROC over flattened pixels; 10 M pixels in a few seconds on 2 cores. */
  public static double pixels(float[] scores, boolean[] labels) {
    return BinaryCurve.of(scores, labels).auroc();
  }

  /** Pixel-level AUROC over all pixels of all maps (good images contribute negatives only). */
  public static double pixels(List<PixelMap> maps) {
    return pixelCurve(maps).auroc();
  }

  /** All pixel-level threshold metrics over all pixels of all maps. */
  public static BinaryCurve.Summary pixelCurve(List<PixelMap> maps) {
    int p = 0;
    int total = 0;
    for (PixelMap m : maps) {
      total = Math.addExact(total, m.mask().length);
      for (boolean b : m.mask()) {
        if (b) {
          p++;
        }
      }
    }
    float[] pos = new float[p];
    float[] neg = new float[total - p];
    int ip = 0;
    int in = 0;
    for (PixelMap m : maps) {
      float[] s = m.scores();
      boolean[] y = m.mask();
      for (int i = 0; i < s.length; i++) {
        if (Float.isNaN(s[i])) {
          throw new IllegalArgumentException("a pixel score is NaN");
        }
        if (y[i]) {
          pos[ip++] = s[i];
        } else {
          neg[in++] = s[i];
        }
      }
    }
    return BinaryCurve.ofSplit(pos, neg);
  }
}
