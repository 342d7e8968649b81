package ai.diffad.cli;

import ai.diffad.config.DataConfig;
import ai.diffad.config.DataFormat;
import ai.diffad.config.DiffadConfig;
import ai.diffad.config.EngineConfig;
import ai.diffad.config.NetworkConfig;
import ai.diffad.config.NetworkKind;
import ai.diffad.config.PredictionType;
import ai.diffad.config.SamplerKind;
import ai.diffad.config.ScheduleConfig;
import ai.diffad.config.ScheduleKind;
import ai.diffad.config.TrainingConfig;
import ai.diffad.denoise.data.SyntheticTextures;
import ai.diffad.denoise.io.ImageEncoder;
import ai.diffad.denoise.io.ImageFormat;
import ai.diffad.denoise.record.JsonLines;
import ai.diffad.denoise.run.ScoreRun;
import ai.diffad.flink.FlinkEnvironments;
import ai.diffad.flink.StreamJob;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.artifact.ModelManifest;
import ai.diffad.model.train.Trainer;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.HeartbeatManagerOptions;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * {@code diffad bench stream-soak}: sustained load on the streaming job. Pushes {@code --count}
 * small gray PNGs (some zero-byte or truncated, so rejections flow too) through the real job (the
 * directory source, checkpointing on, JSON-lines sinks) on a local MiniCluster in this JVM; every
 * {@code --sample-every} records out it samples this JVM's resident memory (VmRSS), the heap in
 * use after a full GC and, from the MiniCluster's REST API, every task's busy, idle and
 * back-pressured time per second (averaged over the interval). At the end it checks that every
 * input has exactly one record of the right kind and that resident memory after warm-up grew by
 * at most 5 %; it exits 1 otherwise.
 *
 * <p>Files are written under hidden names and renamed into subfolders of 1,000, at most
 * {@code --backlog} ahead of the records out (so the job always has work, and the folder stays
 * small); a subfolder whose records are all out is deleted, as a processed inbox would be
 * emptied.
 */
public final class StreamSoak {
  private StreamSoak() {}

  /** Inputs per subfolder of the watched folder. */
  static final int FOLDER = 1000;
  /** Distinct encoded images cycled through. */
  static final int POOL = 64;
  /** Records out without progress after which the soak gives up. */
  static final Duration STALL = Duration.ofMinutes(3);
  /** Allowed RSS growth after warm-up. */
  static final double MAX_GROWTH = 0.05;

  /** What the input with index i is: 0 good, 1 zero-byte, 2 truncated PNG. */
  static int kind(long i) {
    long r = i % FOLDER;
    return r == 499 ? 1 : r == 999 ? 2 : 0;
  }

  static String id(long i) {
    return String.format(Locale.ROOT, "b%03d/img-%06d.png", i / FOLDER, i);
  }

  /** The input index of an id, or -1. */
  static long index(String id) {
    int dash = id.lastIndexOf('-');
    int dot = id.lastIndexOf('.');
    if (dash < 0 || dot < dash) {
      return -1;
    }
    try {
      return Long.parseLong(id.substring(dash + 1, dot));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * A gray 16x16 U-Net (8/16 channels, no attention, T = 100) trained for a handful of steps on
   * synthetic textures, named {@code name}: a real model artifact in about a second, for the jobs'
   * plumbing, not for its scores. The soak's model and the tests' ({@code TinyModel}).
   */
  public static Path tinyModel(Path dir, String name) {
    DiffadConfig cfg = new DiffadConfig(
        name,
        ScheduleConfig.of(ScheduleKind.LINEAR, 100),
        PredictionType.EPSILON,
        new NetworkConfig(NetworkKind.UNET2D, 8, List.of(1, 2), 1, List.of(), 4, 0, 0.0),
        new TrainingConfig(4, 4, 2e-3, 0.0, 1, null, 1.0, 0.99, 11L, 0, 50, null, 0, null, null),
        new DataConfig(DataFormat.IMAGES, 1, 16, null, false, false, null, null));
    Trainer.builder().setConfig(cfg).setData(SyntheticTextures.trainingSet(8, 24, 5L))
        .setOutputDir(dir).optProgressBar(false).build().run();
    return dir;
  }

  static Integer run(BenchCommand b) throws Exception {
    PrintWriter o = b.spec.commandLine().getOut();
    long count = b.count;
    if (count < 10) {
      throw new picocli.CommandLine.ParameterException(b.spec.commandLine(),
          "bench stream-soak: --count must be >= 10, got " + count);
    }
    long every = b.sampleEvery != null ? b.sampleEvery : Math.max(1, Math.min(10_000, count / 10));
    if (every < 1 || every > count) {
      throw new picocli.CommandLine.ParameterException(b.spec.commandLine(),
          "bench stream-soak: --sample-every must be in [1, --count], got " + every);
    }
    Path tmp = Files.createTempDirectory("diffad-soak");
    try {
      long t0 = System.nanoTime();
      Path model;
      if (b.model != null) {
        if (!Files.isRegularFile(b.model.resolve(ModelArtifact.MANIFEST))) {
          throw new picocli.CommandLine.ParameterException(b.spec.commandLine(),
              "--model: no model at " + b.model + " (" + ModelArtifact.MANIFEST + " missing)");
        }
        model = b.model;
      } else {
        model = tinyModel(tmp.resolve("model"), "soak-tiny");
      }
      ModelManifest m = ModelArtifact.readManifest(model);
      if (m.isSeries()) {
        throw new picocli.CommandLine.ParameterException(b.spec.commandLine(),
            "--model: " + m.name() + " is a sensor model; the soak feeds images");
      }
      int size = m.input().size();
      int channels = m.input().channels();
      EngineConfig engine = EngineConfig.builder().tStar(Math.min(10, m.config().schedule().timesteps() - 1))
          .sampler(SamplerKind.DDIM).steps(2).batchSize(b.batch).smoothSigma(1.0).build();
      List<byte[]> pool = new ArrayList<>();
      SplittableRandom rng = new SplittableRandom(7);
      for (int k = 0; k < POOL; k++) {
        float[] data = new float[channels * size * size];
        for (int i = 0; i < data.length; i++) {
          data[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        pool.add(ImageEncoder.encode(data, channels, size, size, null, 8, ImageFormat.PNG));
      }
      byte[] truncated = java.util.Arrays.copyOf(pool.get(0), Math.min(40, pool.get(0).length / 2));

      Path in = Files.createDirectories(tmp.resolve("in"));
      Path out = Files.createDirectories(tmp.resolve("out"));
      StreamJob job = StreamJob.builder().model(model).input(in).recursive(true)
          .monitorInterval(Duration.ofMillis(250)).output(out).engine(engine).maxBatch(b.batch)
          .maxWait(Duration.ofMillis(100)).checkpointInterval(Duration.ofSeconds(10))
          .parallelism(1).build();
      Configuration extra = new Configuration();
      extra.set(HeartbeatManagerOptions.HEARTBEAT_INTERVAL, Duration.ofSeconds(1));
      extra.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofSeconds(1));
      int port = FlinkEnvironments.freePort(FlinkEnvironments.WEB_UI_PORT);
      StreamExecutionEnvironment env = FlinkEnvironments.local(extra, 1, port);
      job.wire(env);

      o.printf(Locale.ROOT, "stream-soak: %d inputs (%d zero-byte, %d truncated), %dx%d gray PNGs in"
          + " folders of %d, at most %d ahead of the records out%n", count, countKind(count, 1),
          countKind(count, 2), size, size, FOLDER, b.backlog);
      o.printf(Locale.ROOT, "stream-soak: model %s (%s), engine t*=%d ddim %d steps, batch %d;"
          + " parallelism 1, checkpoints every 10 s; %d cores, -Xmx %d MiB, libtorch threads %s%n",
          m.name(), b.model != null ? b.model : "trained now", engine.tStar(), engine.steps(), b.batch,
          Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20,
          System.getProperty("ai.djl.pytorch.num_threads", "default"));
      o.printf(Locale.ROOT, "stream-soak: started %s; Flink web UI http://localhost:%d%n",
          Instant.now(), port);
      o.flush();

      Tally tally = new Tally(count);
      AtomicLong written = new AtomicLong();
      AtomicReference<Throwable> feedError = new AtomicReference<>();
      Thread feeder = new Thread(() -> {
        try {
          for (long i = 0; i < count; i++) {
            while (i - tally.out() >= b.backlog) {
              Thread.sleep(5);
            }
            Path file = in.resolve(id(i));
            Files.createDirectories(file.getParent());
            Path hidden = file.resolveSibling(".tmp-" + file.getFileName());
            int k = kind(i);
            Files.write(hidden, k == 1 ? new byte[0] : k == 2 ? truncated : pool.get((int) (i % POOL)));
            Files.move(hidden, file, StandardCopyOption.ATOMIC_MOVE);
            written.incrementAndGet();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (Throwable e) {
          feedError.set(e);
        }
      }, "soak-feeder");
      feeder.setDaemon(true);

      JobClient client = env.executeAsync(job.jobName());
      Rest rest = new Rest(port, client.getJobID().toString());
      List<Sample> samples = new ArrayList<>();
      o.println(Sample.header());
      o.flush();
      boolean stalled = false;
      try {
        feeder.start();
        Tail scores = new Tail(out.resolve(ScoreRun.SCORES));
        Tail rejected = new Tail(out.resolve(ScoreRun.REJECTED));
        long lastProgress = System.nanoTime();
        long lastOut = 0;
        long firstOutNanos = -1;
        long lastRest = 0;
        long intervalStart = System.nanoTime();
        long intervalStartOut = 0;
        int[] folderOut = new int[(int) ((count + FOLDER - 1) / FOLDER)];
        long nextSample = every;
        while (tally.out() < count) {
          if (feedError.get() != null) {
            throw new IOException("the feeder failed: " + feedError.get(), feedError.get());
          }
          if (client.getJobStatus().get(30, TimeUnit.SECONDS).isGloballyTerminalState()) {
            client.getJobExecutionResult().get(); // throws the job's failure
            break;
          }
          for (String line : scores.lines()) {
            tally.record(line, true, folderOut, in);
          }
          for (String line : rejected.lines()) {
            tally.record(line, false, folderOut, in);
          }
          long now = System.nanoTime();
          if (tally.out() > lastOut) {
            if (firstOutNanos < 0) {
              firstOutNanos = now;
              intervalStart = now;
            }
            lastOut = tally.out();
            lastProgress = now;
          } else if (now - lastProgress > STALL.toNanos()) {
            stalled = true;
            break;
          }
          if (now - lastRest > 2_000_000_000L) {
            rest.poll();
            lastRest = now;
          }
          if (tally.out() >= nextSample) {
            rest.poll();
            Sample s = Sample.take(tally.out(), (now - t0) / 1e9,
                (tally.out() - intervalStartOut) / ((now - intervalStart) / 1e9), rest.intervalMeans());
            samples.add(s);
            o.println(s.line());
            o.flush();
            intervalStart = System.nanoTime();
            intervalStartOut = tally.out();
            rest.reset();
            while (nextSample <= tally.out()) {
              nextSample += every;
            }
          }
          Thread.sleep(100);
        }
        long end = System.nanoTime();
        double seconds = firstOutNanos < 0 ? 0 : (end - firstOutNanos) / 1e9;
        o.printf(Locale.ROOT, "stream-soak: %d records out in %.1f s from the first record out: %.1f"
            + " records/s overall (%.1f s wall including model and start-up)%n", tally.out(), seconds,
            seconds > 0 ? tally.out() / seconds : 0, (end - t0) / 1e9);
      } finally {
        feeder.interrupt();
        feeder.join(10_000);
        if (!client.getJobStatus().get(30, TimeUnit.SECONDS).isGloballyTerminalState()) {
          client.cancel().get(2, TimeUnit.MINUTES);
        }
        try {
          client.getJobExecutionResult().get(2, TimeUnit.MINUTES);
        } catch (Exception e) {
          // cancelled: expected
        }
      }
      return verdict(o, tally, written.get(), samples, stalled);
    } finally {
      delete(tmp);
    }
  }

  private static long countKind(long count, int kind) {
    long n = 0;
    for (long i = 0; i < count; i++) {
      n += kind(i) == kind ? 1 : 0;
    }
    return n;
  }

  private static int verdict(PrintWriter o, Tally t, long written, List<Sample> samples,
      boolean stalled) {
    long missing = t.count - t.seen.cardinality();
    o.printf(Locale.ROOT, "stream-soak: inputs in %d (written %d): %d images, %d zero-byte, %d"
        + " truncated%n", t.count, written, t.count - countKind(t.count, 1) - countKind(t.count, 2),
        countKind(t.count, 1), countKind(t.count, 2));
    o.printf(Locale.ROOT, "stream-soak: records out %d: %d scores + %d rejections %s; missing %d,"
        + " duplicates %d, wrong kind %d, unknown ids %d%s%n", t.out(), t.scores, t.rejections,
        t.reasons, missing, t.duplicates, t.wrongKind, t.unknown, stalled ? " (stalled: no record for "
        + STALL.toMinutes() + " min)" : "");
    boolean dropped = missing > 0 || t.duplicates > 0 || t.wrongKind > 0 || t.unknown > 0 || stalled;
    boolean grew = false;
    if (samples.size() >= 2) {
      int base = samples.size() >= 3 ? 1 : 0;
      Sample b = samples.get(base);
      Sample last = samples.get(samples.size() - 1);
      double max = samples.subList(base, samples.size()).stream().mapToDouble(Sample::rssMiB).max().orElse(0);
      double growth = (last.rssMiB() - b.rssMiB()) / b.rssMiB();
      grew = growth > MAX_GROWTH;
      o.printf(Locale.ROOT, "stream-soak: RSS after warm-up (baseline: sample %d, at %d records) %.1f"
          + " MiB -> %.1f MiB at %d records: %+.1f %% (limit +%.0f %%; highest %.1f MiB); heap after"
          + " GC %.1f -> %.1f MiB; committed heap %.1f -> %.1f MiB; RSS outside the heap %.1f -> %.1f"
          + " MiB (%+.1f %%)%n", base + 1, b.records(), b.rssMiB(), last.rssMiB(), last.records(),
          100 * growth, 100 * MAX_GROWTH, max, b.heapAfterGcMiB(), last.heapAfterGcMiB(),
          b.committedMiB(), last.committedMiB(), b.outsideHeapMiB(), last.outsideHeapMiB(),
          100 * (last.outsideHeapMiB() - b.outsideHeapMiB()) / b.outsideHeapMiB());
    } else {
      o.println("stream-soak: fewer than 2 samples: no RSS growth figure (use a larger --count or a"
          + " smaller --sample-every)");
    }
    String result = dropped ? "FAILED: inputs and records do not match one to one"
        : grew ? "FAILED: resident memory grew more than " + Math.round(100 * MAX_GROWTH) + " % after warm-up"
        : "OK: every input has exactly one record; resident memory stable after warm-up";
    o.println("stream-soak: " + result);
    o.flush();
    return dropped || grew ? DiffadCli.EXIT_FAILURE : DiffadCli.EXIT_OK;
  }

  /** One sample. */
  record Sample(long records, double seconds, double recordsPerSecond, double rssMiB,
      double heapMiB, double heapAfterGcMiB, double committedMiB, String tasks) {
    static Sample take(long records, double seconds, double rate, String tasks) {
      java.lang.management.MemoryMXBean mx = ManagementFactory.getMemoryMXBean();
      double before = mx.getHeapMemoryUsage().getUsed() / 1048576.0;
      System.gc();
      java.lang.management.MemoryUsage after = mx.getHeapMemoryUsage();
      return new Sample(records, seconds, rate, ScoreBench.rssMiB(), before,
          after.getUsed() / 1048576.0, after.getCommitted() / 1048576.0, tasks);
    }

    /** Resident memory that is not committed heap: native (libtorch, OpenCV), metaspace, stacks. */
    double outsideHeapMiB() {
      return rssMiB - committedMiB;
    }

    String line() {
      return String.format(Locale.ROOT, "%9d %8.1f %9.1f %9.1f %10.1f %10.1f %10.1f %10.1f  %s",
          records, seconds, recordsPerSecond, rssMiB, heapMiB, heapAfterGcMiB, committedMiB,
          outsideHeapMiB(), tasks);
    }

    static String header() {
      return String.format(Locale.ROOT, "%9s %8s %9s %9s %10s %10s %10s %10s  %s", "records",
          "seconds", "rec/s", "RSS MiB", "heap MiB", "heap GC'd", "committed", "RSS-heap",
          "per task: busy / idle / back-pressured ms per s (interval mean)");
    }
  }

  /** Records out, checked against the inputs, by input index. */
  static final class Tally {
    final long count;
    final BitSet seen = new BitSet();
    long scores;
    long rejections;
    long duplicates;
    long wrongKind;
    long unknown;
    final Map<String, Long> reasons = new java.util.TreeMap<>();

    Tally(long count) {
      this.count = count;
    }

    synchronized long out() {
      return scores + rejections;
    }

    void record(String line, boolean score, int[] folderOut, Path in) throws IOException {
      JsonNode n = JsonLines.mapper().readTree(line);
      String id = n.path("id").asText("");
      long i = index(id);
      synchronized (this) {
        if (score) {
          scores++;
        } else {
          rejections++;
          reasons.merge(n.path("reason").asText("?"), 1L, Long::sum);
        }
      }
      if (i < 0 || i >= count || !id.equals(id(i))) {
        unknown++;
        return;
      }
      if (seen.get((int) i)) {
        duplicates++;
        return;
      }
      seen.set((int) i);
      if ((kind(i) == 0) != score) {
        wrongKind++;
      }
      int f = (int) (i / FOLDER);
      long inFolder = Math.min(FOLDER, count - (long) f * FOLDER);
      if (++folderOut[f] == inFolder) {
        delete(in.resolve(id(i)).getParent()); // all its records are out: empty the inbox
      }
    }
  }

  /** Complete new lines of a growing file. */
  static final class Tail {
    private final Path file;
    private long pos;
    private final StringBuilder partial = new StringBuilder();

    Tail(Path file) {
      this.file = file;
    }

    List<String> lines() throws IOException {
      List<String> out = new ArrayList<>();
      if (!Files.isRegularFile(file)) {
        return out;
      }
      try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
        long len = f.length();
        if (len < pos) { // cut back by a restore: read again from there
          pos = len;
          partial.setLength(0);
        }
        if (len == pos) {
          return out;
        }
        byte[] b = new byte[(int) Math.min(len - pos, 16 << 20)];
        f.seek(pos);
        f.readFully(b);
        pos += b.length;
        partial.append(new String(b, StandardCharsets.UTF_8));
      }
      int start = 0;
      for (int i = 0; i < partial.length(); i++) {
        if (partial.charAt(i) == '\n') {
          if (i > start) {
            out.add(partial.substring(start, i));
          }
          start = i + 1;
        }
      }
      partial.delete(0, start);
      return out;
    }
  }

  /** Busy, idle and back-pressured time per task from the MiniCluster's REST API. */
  static final class Rest {
    private static final String METRICS = "busyTimeMsPerSecond,idleTimeMsPerSecond,backPressuredTimeMsPerSecond";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private Map<String, String> vertices; // id -> short name
    private final Map<String, double[]> sums = new LinkedHashMap<>(); // name -> busy, idle, bp, n

    Rest(int port, String jobId) {
      this.base = "http://localhost:" + port + "/jobs/" + jobId;
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
          .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IOException("GET " + base + path + ": HTTP " + r.statusCode());
      }
      return JsonLines.mapper().readTree(r.body());
    }

    void poll() {
      try {
        if (vertices == null) {
          Map<String, String> v = new LinkedHashMap<>();
          for (JsonNode n : get("").path("vertices")) {
            v.put(n.path("id").asText(), shortName(n.path("name").asText()));
          }
          if (v.isEmpty()) {
            return;
          }
          vertices = v;
        }
        for (Map.Entry<String, String> e : vertices.entrySet()) {
          JsonNode ms = get("/vertices/" + e.getKey() + "/subtasks/metrics?get=" + METRICS);
          double[] v = new double[3];
          int found = 0;
          for (JsonNode n : ms) {
            int k = switch (n.path("id").asText()) {
              case "busyTimeMsPerSecond" -> 0;
              case "idleTimeMsPerSecond" -> 1;
              case "backPressuredTimeMsPerSecond" -> 2;
              default -> -1;
            };
            if (k >= 0 && n.has("avg") && Double.isFinite(n.path("avg").asDouble(Double.NaN))) {
              v[k] = n.path("avg").asDouble();
              found++;
            }
          }
          if (found == 3) {
            double[] s = sums.computeIfAbsent(e.getValue(), x -> new double[4]);
            s[0] += v[0];
            s[1] += v[1];
            s[2] += v[2];
            s[3]++;
          }
        }
      } catch (IOException | RuntimeException e) {
        // the REST API is not up yet or the job is ending: no figures this time
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    String intervalMeans() {
      StringBuilder b = new StringBuilder();
      sums.forEach((name, s) -> {
        if (s[3] > 0) {
          b.append(b.length() == 0 ? "" : "; ").append(String.format(Locale.ROOT, "%s %.0f/%.0f/%.0f",
              name, s[0] / s[3], s[1] / s[3], s[2] / s[3]));
        }
      });
      return b.length() == 0 ? "(no task metrics yet)" : b.toString();
    }

    void reset() {
      sums.clear();
    }

    /** "Source: directory source /tmp/... -> decode" -> "source+decode". */
    static String shortName(String name) {
      String s = name.replaceAll("Source: directory source \\S+", "source")
          .replaceAll("(scores|rejected|alerts) /\\S+", "$1")
          .replaceAll("\\s*\\([^)]*\\)", "")
          .replaceAll(": Writer", "")
          .replaceAll(": Committer", "")
          .replace(" -> ", "+");
      return s.length() > 48 ? s.substring(0, 48) : s;
    }
  }

  static void delete(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (var s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | java.io.UncheckedIOException e) {
      // best effort
    }
  }
}
