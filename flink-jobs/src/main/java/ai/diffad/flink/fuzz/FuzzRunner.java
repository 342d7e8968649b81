package ai.diffad.flink.fuzz;

import ai.diffad.config.EngineConfig;
import ai.diffad.denoise.record.DecodedInput;
import ai.diffad.denoise.record.RejectReason;
import ai.diffad.denoise.record.Rejection;
import ai.diffad.flink.feed.DecodeOutcome;
import ai.diffad.flink.feed.FeedRecord;
import ai.diffad.flink.feed.InputDecoder;
import ai.diffad.flink.feed.PathRoot;
import ai.diffad.flink.fuzz.FuzzCase.Expect;
import ai.diffad.flink.fuzz.FuzzCase.Model;
import ai.diffad.flink.kafka.KafkaMessage;
import ai.diffad.flink.kafka.KafkaMessageDeserializer;
import ai.diffad.flink.kafka.ParseFunction;
import ai.diffad.model.artifact.ModelManifest;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.function.IntConsumer;

/**
 * Runs fuzz cases through the decoders the way the jobs do: a file through a PATH record
 * ({@link InputDecoder}, as the directory and batch paths), inline bytes through a BASE64 record,
 * and Kafka message values through the source's UTF-8 decoding, {@link ParseFunction#parse} (with
 * the allowed-root check) and then {@link InputDecoder}; for an image model (3 channels) and a
 * series model (2 channels, window 8), with the caps of {@link FuzzGenerator}.
 *
 * <p>Each case must give exactly one outcome: a decoded input whose data are finite and sized
 * channels x height x width, or one rejection with a reason and a non-blank detail, never
 * PROCESSING_FAILED (that is a RuntimeException a decoder let escape), and what the case expects
 * where it expects something. A Throwable that escapes (an Error included) is a crash. A case
 * over the time cap fails. Heap after GC and resident memory are sampled every {@code
 * sampleEvery} cases; after a warm-up they must stay within the stated tolerances.
 */
public final class FuzzRunner implements AutoCloseable {
  /** Wall-time cap per input. */
  public static final long TIME_CAP_MS = 2_000;
  /**
   * Longest id, source or detail a rejection may carry: it is written to the rejected output (a
   * Kafka topic takes messages up to 1 MB by default); a record quoting a whole input would not go.
   */
  public static final int MAX_FIELD = 4096;
  /** Cases before the memory baseline is taken (JIT, OpenCV's and libtorch's first allocations). */
  public static final int WARM_UP = 2_000;
  /** Allowed growth of the median heap in use after GC, earlier to later half of the run. */
  public static final long HEAP_TOLERANCE_MB = 32;
  /** Allowed growth of the median resident set outside the committed heap, earlier to later half. */
  public static final long RSS_TOLERANCE_MB = 160;

  private final FuzzGenerator generator;
  private final InputDecoder imageDecoder;
  private final InputDecoder seriesDecoder;
  private final Path root;
  private final PathRoot allowedRoot;

  /** A runner with its own temporary folder (removed on close). */
  public FuzzRunner() throws IOException {
    this.generator = new FuzzGenerator(FuzzCorpus.build());
    EngineConfig engine = EngineConfig.builder().maxPixels(FuzzGenerator.MAX_PIXELS)
        .maxSensorValues(FuzzGenerator.MAX_SENSOR_VALUES).build();
    this.imageDecoder = new InputDecoder(new ModelManifest(1, "fuzz-image", null,
        new ModelManifest.InputSpec(ModelManifest.Layout.NCHW, FuzzGenerator.IMAGE_CHANNELS, 16, -1, 1,
            "x / max * 2 - 1", null, null), null, null, null), engine, FuzzGenerator.MAX_INLINE_BYTES);
    this.seriesDecoder = new InputDecoder(new ModelManifest(1, "fuzz-series", null,
        new ModelManifest.InputSpec(ModelManifest.Layout.NCL, FuzzCorpus.SERIES_CHANNELS,
            FuzzGenerator.WINDOW, -1, 1, "(x - mean) / std", new double[] {10, 0}, new double[] {2, 1}),
        null, null, null), engine, FuzzGenerator.MAX_INLINE_BYTES);
    this.root = Files.createTempDirectory("diffad-fuzz");
    this.allowedRoot = new PathRoot(root, "fuzz root");
  }

  /** The generator. */
  public FuzzGenerator generator() {
    return generator;
  }

  /**
   * What one case gave.
   *
   * @param outcome DECODED or the rejection's reason name (CRASH when a Throwable escaped)
   * @param problem why the case fails, or null when it passes
   * @param ms wall time
   */
  public record Result(String outcome, String problem, double ms) {}

  /**
   * Runs every seed once by each route, results dropped, so that class loading, the JIT and the
   * codecs' first calls do not count against the first timed cases.
   */
  public void warmUp() {
    FuzzCorpus corpus = FuzzCorpus.build();
    for (int round = 0; round < 3; round++) {
      for (FuzzCorpus.Seed s : corpus.seeds()) {
        Model m = s.image() ? Model.IMAGE : Model.SERIES;
        byte[] msg = ("{\"id\": \"w\", \"base64\": \"" + Base64.getEncoder().encodeToString(s.bytes())
            + "\"}").getBytes(StandardCharsets.UTF_8);
        run(new FuzzCase(0, 0, "warm-up", FuzzCase.Route.FILE, m, "warm-up" + s.extension(), s.bytes(), null, Expect.ANY));
        run(new FuzzCase(0, 0, "warm-up", FuzzCase.Route.BASE64, m, null, s.bytes(), null, Expect.ANY));
        run(new FuzzCase(0, 0, "warm-up", FuzzCase.Route.KAFKA, m, null, msg, null, Expect.ANY));
      }
    }
  }

  /** Runs one case; never throws (an escaping Throwable is reported as a crash). */
  public Result run(FuzzCase c) {
    long t0 = System.nanoTime();
    String outcome;
    String problem;
    try {
      List<Object> outs = outcomes(c);
      double ms = (System.nanoTime() - t0) / 1e6;
      if (outs.size() != 1) {
        return new Result("CRASH", outs.size() + " outcomes instead of one", ms);
      }
      Object o = outs.get(0);
      if (o instanceof DecodedInput d) {
        outcome = "DECODED";
        problem = checkDecoded(c, d);
      } else {
        Rejection rj = (Rejection) o;
        outcome = rj.reason() == null ? "NULL" : rj.reason().name();
        problem = checkRejected(c, rj);
      }
      if (problem == null && ms > TIME_CAP_MS) {
        problem = String.format(Locale.ROOT, "took %.0f ms, over the %d ms cap", ms, TIME_CAP_MS);
      }
      return new Result(outcome, problem, ms);
    } catch (Throwable e) { // Errors too: a StackOverflowError or OutOfMemoryError is a crash
      double ms = (System.nanoTime() - t0) / 1e6;
      return new Result("CRASH", "escaped " + e, ms);
    } finally {
      cleanUp(c);
    }
  }

  /** The outcomes the case produced, in order: decoded inputs and rejections. */
  private List<Object> outcomes(FuzzCase c) throws IOException {
    InputDecoder dec = c.model() == Model.IMAGE ? imageDecoder : seriesDecoder;
    List<Object> outs = new ArrayList<>(1);
    switch (c.route()) {
      case FILE -> {
        Path f = root.resolve(c.fileName());
        Files.write(f, c.bytes());
        add(outs, dec.decode(FeedRecord.ofPath(c.fileName(), "fuzz", f.toString())));
      }
      case BASE64 -> add(outs, dec.decode(new FeedRecord("b" + c.index(), "fuzz", null,
          Base64.getEncoder().encodeToString(c.bytes()), null)));
      case KAFKA -> {
        if (c.attachment() != null) {
          Files.write(root.resolve(c.fileName()), c.attachment());
        }
        List<KafkaMessage> messages = new ArrayList<>(1);
        new KafkaMessageDeserializer().deserialize(
            new org.apache.kafka.clients.consumer.ConsumerRecord<>("fuzz", 0, c.index(), null, c.bytes()),
            new org.apache.flink.util.Collector<>() {
              @Override
              public void collect(KafkaMessage m) {
                messages.add(m);
              }

              @Override
              public void close() {}
            });
        if (messages.size() != 1) {
          outs.addAll(messages);
          return outs;
        }
        ParseFunction.Parsed p = ParseFunction.parse(messages.get(0), FuzzGenerator.MAX_INLINE_BYTES, allowedRoot);
        if ((p.record() == null) == (p.rejection() == null)) {
          outs.add(p);
          outs.add(p);
          return outs;
        }
        if (p.rejection() != null) {
          outs.add(p.rejection());
        } else {
          add(outs, dec.decode(p.record()));
        }
      }
    }
    return outs;
  }

  private static void add(List<Object> outs, DecodeOutcome o) {
    if (o instanceof DecodeOutcome.Decoded d) {
      outs.add(d.input());
    } else {
      outs.add(((DecodeOutcome.Rejected) o).rejection());
    }
  }

  private void cleanUp(FuzzCase c) {
    if (c.fileName() != null) {
      try {
        Files.deleteIfExists(root.resolve(c.fileName()));
      } catch (IOException | RuntimeException e) {
        // a name the file system refused was never written
      }
    }
  }

  private static String checkDecoded(FuzzCase c, DecodedInput d) {
    Expect e = c.expect();
    boolean image = c.model() == Model.IMAGE;
    int channels = image ? FuzzGenerator.IMAGE_CHANNELS : FuzzCorpus.SERIES_CHANNELS;
    if (!e.any() && !e.decoded()) {
      return "decoded " + d.height() + "x" + d.width() + ", expected " + e;
    }
    if (d.channels() != channels || d.height() < 1 || d.width() < 1
        || d.data().length != (long) d.channels() * d.height() * d.width()) {
      return "decoded input of " + d.channels() + "x" + d.height() + "x" + d.width() + " with "
          + d.data().length + " values";
    }
    if (image && (long) d.height() * d.width() > FuzzGenerator.MAX_PIXELS) {
      return "decoded " + d.height() + "x" + d.width() + ", over the pixel cap";
    }
    if (!image && d.height() != 1) {
      return "series decoded with height " + d.height();
    }
    boolean tensor = c.kind().contains("tensor");
    for (float v : d.data()) {
      if (!Float.isFinite(v) || (image && !tensor && (v < -1f || v > 1f))) {
        return "decoded value " + v + (Float.isFinite(v) ? " outside [-1, 1]" : "");
      }
    }
    if (e.decoded() && e.height() > 0 && (d.height() != e.height() || d.width() != e.width())) {
      return "decoded " + d.height() + "x" + d.width() + ", expected " + e;
    }
    return null;
  }

  private static String checkRejected(FuzzCase c, Rejection r) {
    Expect e = c.expect();
    if (r.reason() == null) {
      return "rejection without a reason";
    }
    if (r.detail() == null || r.detail().isBlank()) {
      return "rejection " + r.reason() + " without a detail";
    }
    if (r.detail().length() > MAX_FIELD || (r.id() != null && r.id().length() > MAX_FIELD)
        || (r.source() != null && r.source().length() > MAX_FIELD)) {
      return "rejection record of " + (r.detail().length() + (r.id() == null ? 0 : r.id().length())
          + (r.source() == null ? 0 : r.source().length())) + " characters (detail, id or source over "
          + MAX_FIELD + "): " + abbreviate(r.detail());
    }
    if (!r.rejected()) {
      return "rejection record with rejected=false";
    }
    if (r.reason() == RejectReason.PROCESSING_FAILED) {
      return "PROCESSING_FAILED (an exception escaped a decoder): " + r.detail();
    }
    if (e.any()) {
      return null;
    }
    if (e.decoded()) {
      return "rejected " + r.reason() + " (" + r.detail() + "), expected " + e;
    }
    if (!e.reasons().isEmpty() && !e.reasons().contains(r.reason())) {
      return "rejected " + r.reason() + " (" + abbreviate(r.detail()) + "), expected " + e;
    }
    return null;
  }

  static String abbreviate(String s) {
    return s == null || s.length() <= 300 ? s : s.substring(0, 300) + "...";
  }

  /** Heap in use after GC, heap committed, the resident set and direct buffers, in MB. */
  public static long[] memory() {
    Runtime rt = Runtime.getRuntime();
    System.gc();
    System.gc();
    long heap = (rt.totalMemory() - rt.freeMemory()) >> 20;
    long direct = 0;
    for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
      direct += b.getMemoryUsed();
    }
    return new long[] {heap, rt.totalMemory() >> 20, rssMb(), direct >> 20};
  }

  /** VmRSS from /proc/self/status in MB, or -1 where there is none. */
  public static long rssMb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) >> 10;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return -1;
  }

  /**
   * Runs cases {@code 0 .. count-1} of {@code seed}, writing each failing case under {@code
   * failures} (if not null) as {@code <label>.<ext>}.
   *
   * @param sampleEvery cases between memory samples
   * @param progress told the number of cases done after each case (may be null)
   */
  public FuzzReport runAll(long seed, int count, int sampleEvery, Path failures, IntConsumer progress)
      throws IOException {
    warmUp();
    FuzzReport rep = new FuzzReport(seed, count);
    long start = System.nanoTime();
    rep.sample(0, memory());
    for (int i = 0; i < count; i++) {
      FuzzCase c = generator.generate(seed, i);
      Result res = run(c);
      rep.add(c, res);
      if (res.problem() != null && failures != null) {
        FuzzRegressions.write(failures, c, res);
      }
      if ((i + 1) % sampleEvery == 0 || i + 1 == count) {
        rep.sample(i + 1, memory());
      }
      if (progress != null) {
        progress.accept(i + 1);
      }
    }
    rep.finish((System.nanoTime() - start) / 1e9);
    return rep;
  }

  @Override
  public void close() throws IOException {
    try (var s = Files.walk(root)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
