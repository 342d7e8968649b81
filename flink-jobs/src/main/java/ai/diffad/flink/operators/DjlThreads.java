package ai.diffad.flink.operators;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sizes libtorch's thread pools for a worker running {@code slots} scorers at once (STACK.md, "DJL
 * threads"): intra-op threads = max(1, cores / slots), inter-op threads = 1, so that the scorers
 * of one TaskManager do not oversubscribe its cores.
 *
 * <p>DJL reads {@code ai.djl.pytorch.num_threads} and {@code num_interop_threads} once, when the
 * PyTorch engine starts in the JVM; {@link #configure} sets them if that has not happened yet (a
 * larger value, e.g. the launcher's one-scorer default of all cores, is lowered; a smaller one is
 * kept). Once the engine runs, {@link #applyToCurrentThread} sets the intra-op count for the
 * calling thread (OpenMP keeps it per thread), which is the task thread that will score.
 */
public final class DjlThreads {
  private static final Logger LOG = LoggerFactory.getLogger(DjlThreads.class);

  /** DJL's intra-op threads property. */
  public static final String NUM_THREADS = "ai.djl.pytorch.num_threads";
  /** DJL's inter-op threads property. */
  public static final String NUM_INTEROP_THREADS = "ai.djl.pytorch.num_interop_threads";

  private DjlThreads() {}

  /** Intra-op threads for one of {@code slots} scorers on {@code cores} cores. */
  public static int forSlots(int cores, int slots) {
    return Math.max(1, cores / Math.max(1, slots));
  }

  /**
   * Sets the properties before the engine starts (see the class comment).
   *
   * @return the intra-op thread count now configured
   */
  public static synchronized int configure(int slots) {
    int want = forSlots(Runtime.getRuntime().availableProcessors(), slots);
    String cur = System.getProperty(NUM_THREADS);
    int n = want;
    if (cur != null) {
      try {
        n = Math.min(want, Math.max(1, Integer.parseInt(cur.trim())));
      } catch (NumberFormatException e) {
        n = want;
      }
    }
    System.setProperty(NUM_THREADS, Integer.toString(n));
    if (System.getProperty(NUM_INTEROP_THREADS) == null) {
      System.setProperty(NUM_INTEROP_THREADS, "1");
    }
    return n;
  }

  /** Sets libtorch's intra-op threads for the calling thread, once the engine runs (best effort). */
  public static void applyToCurrentThread(int n) {
    try {
      if (ai.djl.pytorch.jni.JniUtils.getNumThreads() != n) {
        ai.djl.pytorch.jni.JniUtils.setNumThreads(n);
      }
    } catch (RuntimeException | LinkageError e) {
      LOG.warn("could not set libtorch threads to {}: {}", n, e.toString());
    }
  }
}
