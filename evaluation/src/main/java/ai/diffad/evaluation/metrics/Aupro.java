package ai.diffad.evaluation.metrics;

import java.util.Arrays;
import java.util.List;

/**
 * Area under the per-region-overlap (PRO) curve up to a false-positive-rate limit, normalised
 * to [0, 1] by dividing by the limit — as MVTec AD's evaluation code and anomalib's AUPRO.
 *
 * <p>Regions are the connected components of every ground-truth mask (8-connectivity by default,
 * as MVTec and anomalib). At a threshold t the FPR is the fraction of all defect-free pixels (of
 * all images, good ones included) scoring {@code >= t}, and the PRO is the mean over all regions
 * of the fraction of the region's pixels scoring {@code >= t}. Both are cumulative sums along the
 * pixels sorted by descending score — a region pixel adds 1/(|region| · regions) to the PRO — so
 * the curve is computed exactly at every distinct score. The area is taken with the trapezoid
 * rule, the last segment linearly interpolated at the limit.
 */
public final class Aupro {
  /** The usual limit (MVTec AD, anomalib). */
  public static final double DEFAULT_FPR_LIMIT = 0.3;

  private Aupro() {}

  /** AUPRO up to FPR 0.3 with 8-connected regions. */
  public static double of(List<PixelMap> maps) {
    return of(maps, DEFAULT_FPR_LIMIT, Connectivity.EIGHT);
  }

  /** AUPRO up to {@code fprLimit} (in (0, 1]), normalised by the limit. */
  public static double of(List<PixelMap> maps, double fprLimit, Connectivity connectivity) {
    if (!(fprLimit > 0 && fprLimit <= 1)) {
      throw new IllegalArgumentException("fprLimit must be in (0, 1], got " + fprLimit);
    }
    int positives = 0;
    int negatives = 0;
    int regions = 0;
    int[][] labelsPerMap = new int[maps.size()][];
    int[] regionOffset = new int[maps.size()];
    for (int m = 0; m < maps.size(); m++) {
      PixelMap map = maps.get(m);
      ConnectedComponents.Labels l =
          ConnectedComponents.label(map.mask(), map.height(), map.width(), connectivity);
      labelsPerMap[m] = l.labels();
      regionOffset[m] = regions;
      regions += l.count();
      for (boolean b : map.mask()) {
        if (b) {
          positives++;
        } else {
          negatives++;
        }
      }
    }
    if (regions == 0 || negatives == 0) {
      throw new IllegalArgumentException("AUPRO needs at least one defect region and one "
          + "defect-free pixel, got " + regions + " regions and " + negatives + " free pixels");
    }
    // Positives packed as (sortable score bits << 32 | region index): one primitive sort.
    long[] pos = new long[positives];
    float[] neg = new float[negatives];
    int[] regionSize = new int[regions];
    int ip = 0;
    int in = 0;
    for (int m = 0; m < maps.size(); m++) {
      float[] s = maps.get(m).scores();
      int[] lab = labelsPerMap[m];
      for (int i = 0; i < s.length; i++) {
        float v = s[i] + 0.0f; // folds -0.0 into 0.0
        if (Float.isNaN(v)) {
          throw new IllegalArgumentException("a pixel score is NaN");
        }
        if (lab[i] != 0) {
          int r = regionOffset[m] + lab[i] - 1;
          regionSize[r]++;
          pos[ip++] = ((long) sortableBits(v) << 32) | r;
        } else {
          neg[in++] = v;
        }
      }
    }
    double[] regionWeight = new double[regions];
    for (int r = 0; r < regions; r++) {
      regionWeight[r] = 1.0 / ((double) regionSize[r] * regions);
    }
    if (pos.length > 1 << 16) {
      Arrays.parallelSort(pos);
    } else {
      Arrays.sort(pos);
    }
    BinaryCurve.sort(neg);

    double area = 0;
    double fpr = 0;
    double pro = 0;
    int jp = pos.length - 1;
    int jn = neg.length - 1;
    long fp = 0;
    while (jp >= 0 || jn >= 0) {
      float t;
      if (jp < 0) {
        t = neg[jn];
      } else if (jn < 0) {
        t = scoreOf(pos[jp]);
      } else {
        t = Math.max(scoreOf(pos[jp]), neg[jn]);
      }
      double dPro = 0;
      while (jp >= 0 && scoreOf(pos[jp]) == t) {
        dPro += regionWeight[(int) (pos[jp] & 0xffffffffL)];
        jp--;
      }
      while (jn >= 0 && neg[jn] == t) {
        fp++;
        jn--;
      }
      double nextFpr = (double) fp / negatives;
      double nextPro = pro + dPro;
      if (nextFpr >= fprLimit) {
        // Interpolate the PRO at the limit on this segment and stop.
        double frac = (fprLimit - fpr) / (nextFpr - fpr);
        double proAtLimit = pro + frac * (nextPro - pro);
        area += (fprLimit - fpr) * (pro + proAtLimit) / 2.0;
        return area / fprLimit;
      }
      area += (nextFpr - fpr) * (pro + nextPro) / 2.0;
      fpr = nextFpr;
      pro = nextPro;
    }
    // Unreachable: the last group brings the FPR to 1 >= limit.
    return area / fprLimit;
  }

  /** Maps a float to an int whose signed order is the float order. */
  static int sortableBits(float f) {
    int bits = Float.floatToIntBits(f);
    return bits ^ ((bits >> 31) & 0x7fffffff);
  }

  private static float scoreOf(long packed) {
    int key = (int) (packed >> 32);
    int bits = key ^ ((key >> 31) & 0x7fffffff);
    return Float.intBitsToFloat(bits);
  }
}
