package ai.diffad.flink.fuzz;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** What a fuzz run gave: outcomes by reason and by mutation, failures, the slowest case, memory. */
public final class FuzzReport {
  /** A failing case. */
  public record Failure(int index, String kind, String route, String model, String outcome, String problem) {}

  /** A memory sample after {@code cases} cases: heap after GC, resident set, direct buffers (MB). */
  public record Sample(int cases, long heapMb, long committedMb, long rssMb, long directMb) {
    /** Resident memory outside the committed Java heap: native allocations (OpenCV, libtiff, ...). */
    public long nativeMb() {
      return rssMb - committedMb;
    }
  }

  private final long seed;
  private final int count;
  private final Map<String, Integer> outcomes = new TreeMap<>();
  private final Map<String, Map<String, Integer>> byKind = new TreeMap<>();
  private final Map<String, Integer> byRoute = new TreeMap<>();
  private final Map<String, Double> msByKind = new TreeMap<>();
  private final List<Failure> failures = new ArrayList<>();
  private final List<Sample> samples = new ArrayList<>();
  private int failed;
  private int crashes;
  private int slow;
  private double slowestMs = -1;
  private String slowest = "";
  private double seconds;

  FuzzReport(long seed, int count) {
    this.seed = seed;
    this.count = count;
  }

  /**
   * The mutation a kind names, without its values, route and seed variant: {@code
   * png-gray8/png-width=5+crc+ext.npy/kafka-path} gives {@code png/png-width+crc+ext}.
   */
  static String family(String kind) {
    String[] parts = kind.split("/");
    if (parts[0].equals("json")) {
      return "json/" + parts[1].replaceAll("=.*", "").replaceAll("-?\\d+", "");
    }
    int dash = parts[0].indexOf('-');
    String seed = dash > 0 ? parts[0].substring(0, dash) : parts[0];
    String m = parts.length > 1 ? parts[1] : "";
    String twist = m.contains("+ext") ? "+ext" : m.contains("+other-model") ? "+other-model" : "";
    m = m.replaceAll("\\+ext.*|\\+other-model", "").replaceAll("=[^+]*", "").replaceAll("-?\\d+", "");
    return seed + "/" + m + twist;
  }

  void add(FuzzCase c, FuzzRunner.Result r) {
    outcomes.merge(r.outcome(), 1, Integer::sum);
    byKind.computeIfAbsent(family(c.kind()), k -> new TreeMap<>()).merge(r.outcome(), 1, Integer::sum);
    byRoute.merge(c.route() + "/" + c.model(), 1, Integer::sum);
    msByKind.merge(family(c.kind()), r.ms(), Double::sum);
    if (r.outcome().equals("CRASH")) {
      crashes++;
    }
    if (r.ms() > FuzzRunner.TIME_CAP_MS) {
      slow++;
    }
    if (r.ms() > slowestMs) {
      slowestMs = r.ms();
      slowest = c.kind() + " (" + c.route() + ", " + c.model() + ", case " + c.index() + ")";
    }
    if (r.problem() != null) {
      failed++;
      if (failures.size() < 200) {
        failures.add(new Failure(c.index(), c.kind(), c.route().name(), c.model().name(), r.outcome(),
            FuzzRunner.abbreviate(r.problem())));
      }
    }
  }

  void sample(int cases, long[] m) {
    samples.add(new Sample(cases, m[0], m[1], m[2], m[3]));
  }

  void finish(double seconds) {
    this.seconds = seconds;
  }

  /** The seed. */
  public long seed() {
    return seed;
  }

  /** Cases run. */
  public int count() {
    return count;
  }

  /** Outcome (DECODED, a reason, CRASH) to cases. */
  public Map<String, Integer> outcomes() {
    return outcomes;
  }

  /** Mutation family to outcome counts. */
  public Map<String, Map<String, Integer>> byKind() {
    return byKind;
  }

  /** The first 200 failing cases. */
  public List<Failure> failures() {
    return failures;
  }

  /** Failing cases (crashes, wrong or missing outcomes, over the time cap). */
  public int failed() {
    return failed;
  }

  /** Cases where a Throwable escaped. */
  public int crashes() {
    return crashes;
  }

  /** Cases over the time cap. */
  public int slow() {
    return slow;
  }

  /** The slowest case's time. */
  public double slowestMs() {
    return slowestMs;
  }

  /** The memory samples. */
  public List<Sample> samples() {
    return samples;
  }

  /** Wall time of the run. */
  public double seconds() {
    return seconds;
  }

  /**
   * Why memory did not stay flat, or null. The samples from {@link FuzzRunner#WARM_UP} cases on
   * are split into an earlier and a later half; the later half's median may exceed the earlier
   * half's by at most the tolerances (heap in use after GC; resident memory outside the committed
   * heap). Medians, not single samples: glibc keeps freed native memory for a while, so one
   * sample after a large decode can stand hundreds of MB above the next; a leak moves the median.
   */
  public String memoryProblem() {
    List<Sample> after = samples.stream()
        .filter(s -> s.cases() >= Math.min(FuzzRunner.WARM_UP, count)).toList();
    if (after.size() < 2) {
      return null;
    }
    List<Sample> early = after.subList(0, after.size() / 2);
    List<Sample> late = after.subList(after.size() / 2, after.size());
    long heap = median(late, Sample::heapMb) - median(early, Sample::heapMb);
    long nat = median(late, Sample::nativeMb) - median(early, Sample::nativeMb);
    if (heap > FuzzRunner.HEAP_TOLERANCE_MB) {
      return "median heap after GC grew by " + heap + " MB from the earlier to the later half of the run, over "
          + FuzzRunner.HEAP_TOLERANCE_MB + " MB";
    }
    if (after.get(0).rssMb() >= 0 && nat > FuzzRunner.RSS_TOLERANCE_MB) {
      return "median resident memory outside the heap grew by " + nat
          + " MB from the earlier to the later half of the run, over " + FuzzRunner.RSS_TOLERANCE_MB + " MB";
    }
    return null;
  }

  /** Median growth in MB from the earlier to the later half: {heap, native}. */
  long[] memoryGrowth() {
    List<Sample> after = samples.stream()
        .filter(s -> s.cases() >= Math.min(FuzzRunner.WARM_UP, count)).toList();
    if (after.size() < 2) {
      return new long[] {0, 0};
    }
    List<Sample> early = after.subList(0, after.size() / 2);
    List<Sample> late = after.subList(after.size() / 2, after.size());
    return new long[] {median(late, Sample::heapMb) - median(early, Sample::heapMb),
        median(late, Sample::nativeMb) - median(early, Sample::nativeMb)};
  }

  private static long median(List<Sample> xs, java.util.function.ToLongFunction<Sample> f) {
    long[] v = xs.stream().mapToLong(f).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** Prints the report. */
  public void print(PrintWriter o, boolean byMutation) {
    o.printf(Locale.ROOT, "fuzz: seed %d, %,d cases in %.1f s (%.0f cases/s)%n", seed, count, seconds,
        count / Math.max(seconds, 1e-9));
    o.printf(Locale.ROOT, "routes: %s%n", byRoute);
    o.println("outcomes:");
    outcomes.forEach((k, v) -> o.printf(Locale.ROOT, "  %-18s %,7d%n", k, v));
    o.printf(Locale.ROOT, "crashes (a Throwable escaped): %d%n", crashes);
    o.printf(Locale.ROOT, "failing cases (crash, wrong/missing outcome, PROCESSING_FAILED, over the cap): %d%n", failed);
    o.printf(Locale.ROOT, "time cap %d ms per input: %d over; slowest %.1f ms: %s%n",
        FuzzRunner.TIME_CAP_MS, slow, slowestMs, slowest);
    o.printf(Locale.ROOT, "memory in MB (heap in use after GC, heap committed, VmRSS, RSS outside the committed heap, direct buffers);%n"
        + "  flat = from %,d cases on, the later half's median within +%d MB (heap) and +%d MB (native) of the earlier half's:%n",
        Math.min(FuzzRunner.WARM_UP, count), FuzzRunner.HEAP_TOLERANCE_MB, FuzzRunner.RSS_TOLERANCE_MB);
    for (Sample s : samples) {
      o.printf(Locale.ROOT, "  %,8d cases: heap %4d  committed %5d  rss %5d  native %5d  direct %3d%n", s.cases(),
          s.heapMb(), s.committedMb(), s.rssMb(), s.nativeMb(), s.directMb());
    }
    String mem = memoryProblem();
    long[] g = memoryGrowth();
    long peak = samples.stream().mapToLong(Sample::nativeMb).max().orElse(0);
    o.printf(Locale.ROOT, "memory: %s (median growth: heap %+d MB, native %+d MB; native peak %d MB)%n",
        mem == null ? "flat" : "NOT FLAT: " + mem, g[0], g[1], peak);
    o.println("most time (mutation: total s, cases):");
    msByKind.entrySet().stream().sorted((x, y) -> Double.compare(y.getValue(), x.getValue())).limit(8)
        .forEach(e -> o.printf(Locale.ROOT, "  %-40s %6.1f s %6d%n", e.getKey(), e.getValue() / 1000,
            byKind.get(e.getKey()).values().stream().mapToInt(Integer::intValue).sum()));
    if (byMutation) {
      o.println("by mutation (outcome counts):");
      byKind.forEach((k, v) -> o.printf(Locale.ROOT, "  %-60s %7.1f ms/case %s%n", k,
          msByKind.get(k) / v.values().stream().mapToInt(Integer::intValue).sum(), v));
    }
    for (Failure f : failures.subList(0, Math.min(30, failures.size()))) {
      o.printf(Locale.ROOT, "FAIL case %d [%s %s %s] -> %s: %s%n", f.index(), f.kind(), f.route(), f.model(),
          f.outcome(), f.problem());
    }
    o.flush();
  }
}
