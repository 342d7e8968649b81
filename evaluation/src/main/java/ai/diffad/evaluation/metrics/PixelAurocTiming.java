package ai.diffad.evaluation.metrics;

import java.util.SplittableRandom;

/**
 * Times the exact pixel AUROC (with AP and F1-max, which come from the same pass) on random
 * scores, for BENCHMARKS.md. Usage: {@code PixelAurocTiming [pixels, default 10000000] [repeats,
 * default 3]}. Scores are floats rounded to 1/1024 so there are many ties, as in real maps.
 */
public final class PixelAurocTiming {
  private PixelAurocTiming() {}

  /** Prints the time of each repeat. */
  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000_000;
    int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    SplittableRandom rnd = new SplittableRandom(42);
    float[] scores = new float[n];
    boolean[] labels = new boolean[n];
    for (int i = 0; i < n; i++) {
      labels[i] = rnd.nextDouble() < 0.02;
      double s = rnd.nextDouble() + (labels[i] ? 0.3 : 0.0);
      scores[i] = Math.round(s * 1024) / 1024f;
    }
    for (int r = 0; r < repeats; r++) {
      long t0 = System.nanoTime();
      BinaryCurve.Summary s = BinaryCurve.of(scores, labels);
      long t1 = System.nanoTime();
      System.out.printf("pixels=%d auroc=%.6f ap=%.6f f1max=%.6f time=%.3f s%n", n, s.auroc(),
          s.averagePrecision(), s.f1Max(), (t1 - t0) / 1e9);
    }
  }
}
