package ai.diffad.flink.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.diffad.config.DenoiseMode;
import ai.diffad.denoise.io.DecodedImage;
import ai.diffad.denoise.io.ImageDecoder;
import ai.diffad.denoise.io.ImageEncoder;
import ai.diffad.denoise.io.ImageFormat;
import ai.diffad.denoise.record.JsonLines;
import ai.diffad.flink.TinyModel;
import ai.diffad.flink.operators.Metrics;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The batch job on a MiniCluster (1 TaskManager, 2 slots) with a tiny real model and a metric
 * reporter: outputs like their inputs, one record per input, reruns that add and rewrite nothing,
 * interrupted runs (simulated and cancelled) completed by the next run, and the metrics.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BatchJobITCase {
  static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder()
          .setConfiguration(REPORTER.addToConfiguration(new Configuration()))
          .setNumberTaskManagers(1)
          .setNumberSlotsPerTaskManager(2)
          .build());

  @TempDir static Path shared;
  static Path model;

  @TempDir Path in;
  @TempDir Path out;

  @BeforeAll
  static void trainTinyModel() {
    model = TinyModel.train(shared.resolve("model"));
  }

  private BatchJob.Builder job() {
    return BatchJob.builder().model(model).input(in).output(out).engine(TinyModel.engine())
        .maxBatch(3).parallelism(2);
  }

  /** Inputs of every kind the job must mirror, plus two it must reject. */
  private List<String> writeInputs() throws IOException {
    write("a.png", 24, 20, 1, 8, ImageFormat.PNG, false, 1);
    write("cam1/rgb.png", 16, 16, 3, 8, ImageFormat.PNG, false, 2);
    write("cam1/deep.png", 20, 18, 1, 16, ImageFormat.PNG, false, 3);
    write("cam1/alpha.png", 16, 20, 3, 8, ImageFormat.PNG, true, 4);
    write("cam2/photo.jpg", 24, 24, 3, 8, ImageFormat.JPEG, false, 5);
    write("cam2/scan.tif", 16, 16, 1, 16, ImageFormat.TIFF, false, 6);
    write("cam2/x/old.bmp", 16, 24, 1, 8, ImageFormat.BMP, false, 7);
    Files.createFile(in.resolve("cam1/empty.png"));
    Files.writeString(in.resolve("cam2/notes.png"), "{\"not\": \"an image\"}");
    Files.writeString(in.resolve("readme.txt"), "not an input name: skipped");
    return List.of("a.png", "cam1/rgb.png", "cam1/deep.png", "cam1/alpha.png", "cam2/photo.jpg",
        "cam2/scan.tif", "cam2/x/old.bmp");
  }

  private void write(String rel, int h, int w, int c, int bits, ImageFormat f, boolean alpha,
      long seed) throws IOException {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] data = new float[c * h * w];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    float[] a = null;
    if (alpha) {
      a = new float[h * w];
      for (int i = 0; i < a.length; i++) {
        a[i] = i % 2 == 0 ? 1f : 0f;
      }
    }
    Path file = in.resolve(rel);
    Files.createDirectories(file.getParent());
    Files.write(file, ImageEncoder.encode(data, c, h, w, a, bits, f));
  }

  @Test
  void everyImageIsDenoisedLikeItsInputOnceAndARerunAddsAndRewritesNothing() throws Exception {
    List<String> good = writeInputs();
    BatchJob job = job().build();
    JobExecutionResult result = job.execute(StreamExecutionEnvironment.getExecutionEnvironment());

    List<JsonNode> scores = read(job.scoresFile());
    List<JsonNode> rejected = read(job.rejectedFile());
    assertThat(scores).extracting(s -> s.get("id").asText()).containsExactlyInAnyOrderElementsOf(good);
    assertThat(rejected).extracting(r -> r.get("id").asText() + " " + r.get("reason").asText())
        .containsExactlyInAnyOrder("cam1/empty.png EMPTY", "cam2/notes.png DECODE_FAILED");
    ImageDecoder decoder = new ImageDecoder(1L << 26);
    for (String id : good) {
      DecodedImage src = decoder.decode(in.resolve(id));
      Path file = out.resolve("denoised").resolve(id);
      DecodedImage den = decoder.decode(file);
      assertThat(List.of(den.format(), den.width(), den.height(), den.sourceChannels(), den.bitDepth()))
          .as(id).isEqualTo(List.of(src.format(), src.width(), src.height(), src.sourceChannels(), src.bitDepth()));
      assertThat(den.hasAlpha()).as(id).isEqualTo(src.hasAlpha());
      JsonNode rec = scores.stream().filter(s -> s.get("id").asText().equals(id)).findFirst().orElseThrow();
      assertThat(rec.get("output").asText()).isEqualTo(file.toAbsolutePath().toString());
      assertThat(rec.get("sigma").asDouble()).isFinite().isNotNegative();
      assertThat(rec.get("sigmaEstimated").asBoolean()).isTrue();
      assertThat(rec.has("t")).isTrue();
      assertThat(rec.get("mode").asText()).isEqualTo("mmse");
      assertThat(rec.get("timingsMs").has("model")).isTrue();
      assertThat(rec.get("timingsMs").has("endToEnd")).isTrue();
    }
    assertThat(out.resolve("denoised/cam1/empty.png")).doesNotExist();
    try (Stream<Path> s = Files.walk(out)) {
      assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".part"));
    }
    assertThat(result.<Long>getAccumulatorResult(DenoiseFunction.DENOISED)).isEqualTo(7L);

    // Metrics: every input received and denoised or rejected; every batch in the histograms.
    JobID id = result.getJobID();
    assertThat(sum(id, "decode", Metrics.RECEIVED)).isEqualTo(9);
    assertThat(sum(id, "decode", Metrics.REJECTED)).isEqualTo(2);
    assertThat(sum(id, "denoise", Metrics.DENOISED)).isEqualTo(7);
    assertThat(sum(id, "denoise", Metrics.REJECTED)).isZero();
    assertThat(sum(id, "skip complete", Metrics.SKIPPED)).isZero();
    long batches = sum(id, "batch (3)", Metrics.BATCHES);
    assertThat(batches).isBetween(3L, 7L); // 7 images in batches of up to 3 over 2 subtasks
    assertThat(histogramCount(id, "denoise", Metrics.BATCH_SIZE)).isEqualTo(batches);
    assertThat(histogramCount(id, "denoise", Metrics.MODEL_LATENCY)).isEqualTo(batches);
    assertThat(histogramCount(id, "denoise", Metrics.END_TO_END)).isEqualTo(7);
    assertThat(histogramSum(id, "denoise", Metrics.BATCH_SIZE)).isEqualTo(7);

    // Again: nothing to do, nothing written.
    Map<Path, byte[]> bytes = snapshot(out);
    Map<Path, FileTime> times = times(out);
    JobExecutionResult again = job().build().execute(StreamExecutionEnvironment.getExecutionEnvironment());
    assertThat(snapshot(out)).containsOnlyKeys(bytes.keySet());
    bytes.forEach((p, b) -> assertThat(readBytes(p)).as(p.toString()).isEqualTo(b));
    assertThat(times(out)).isEqualTo(times);
    assertThat(again.<Long>getAccumulatorResult(SkipCompleted.SKIPPED)).isEqualTo(9L);
    assertThat(sum(again.getJobID(), "skip complete", Metrics.SKIPPED)).isEqualTo(9);
    assertThat(sum(again.getJobID(), "decode", Metrics.RECEIVED)).isZero();
  }

  @Test
  void anInterruptedRunIsCompletedByTheNextWithOneRecordPerInputAndTheSameBytes() throws Exception {
    List<String> good = writeInputs();
    BatchJob job = job().mode(DenoiseMode.SAMPLE).sigma(20.0).build();
    job.execute(StreamExecutionEnvironment.getExecutionEnvironment());
    Map<Path, byte[]> first = snapshot(out.resolve("denoised"));
    assertThat(first).hasSize(good.size());

    // What a killed run leaves: an image without its record, a record without its image (and one
    // with neither), a partial last line, a temporary file of a write under way.
    List<String> lines = Files.readAllLines(job.scoresFile());
    Map<String, String> byId = new TreeMap<>();
    for (String l : lines) {
      byId.put(JsonLines.mapper().readTree(l).get("id").asText(), l);
    }
    StringBuilder cut = new StringBuilder();
    for (String id : good) {
      if (!id.equals("cam1/deep.png") && !id.equals("cam2/scan.tif")) {
        cut.append(byId.get(id)).append('\n'); // deep.png: image kept, record lost
      }
    }
    String partial = byId.get("cam2/scan.tif");
    cut.append(partial, 0, partial.length() / 2); // scan.tif: record half written, image lost
    Files.writeString(job.scoresFile(), cut);
    Files.delete(job.outputFor("cam2/scan.tif"));
    Files.delete(job.outputFor("a.png")); // a.png: record kept, image lost
    Files.writeString(out.resolve("denoised/cam1/.tmp-123.part"), "half an image");
    String rejectedBefore = Files.readString(job.rejectedFile());
    Map<Path, FileTime> untouched = times(out.resolve("denoised"));
    untouched.keySet().removeIf(p -> p.endsWith("deep.png") || p.getFileName().toString().startsWith(".tmp"));

    BatchJob.Preparation p = job.prepare();
    assertThat(p).isEqualTo(new BatchJob.Preparation(4, 2, 1, 1));
    job.execute(StreamExecutionEnvironment.getExecutionEnvironment());

    assertThat(idCounts(read(job.scoresFile()))).isEqualTo(ones(good));
    assertThat(Files.readString(job.scoresFile())).endsWith("\n");
    assertThat(Files.readString(job.rejectedFile())).isEqualTo(rejectedBefore);
    Map<Path, byte[]> second = snapshot(out.resolve("denoised"));
    assertThat(second).containsOnlyKeys(first.keySet());
    first.forEach((f, b) -> assertThat(second.get(f)).as(f.toString()).isEqualTo(b));
    // images that were complete were not written again
    untouched.forEach((f, t) -> assertThat(mtime(f)).as(f.toString()).isEqualTo(t));
  }

  @Test
  void aCancelledRunIsCompletedByTheNextWithExactlyOneRecordPerInput() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String id = "cam" + (i % 3) + "/img-" + i + ".png";
      write(id, 48, 48, 1, 8, ImageFormat.PNG, false, 100 + i);
      ids.add(id);
    }
    Files.createFile(in.resolve("cam0/zero.png"));
    BatchJob job = job().maxBatch(1).parallelism(1).build();
    job.prepare();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    job.wire(env);
    JobClient client = env.executeAsync(job.jobName());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (read(job.scoresFile()).size() < 3 && System.nanoTime() < deadline
        && !client.getJobStatus().get().isGloballyTerminalState()) {
      Thread.sleep(20);
    }
    boolean cancelled = false;
    if (!client.getJobStatus().get().isGloballyTerminalState()) {
      client.cancel().get(30, TimeUnit.SECONDS);
      cancelled = true;
    }
    int before = read(job.scoresFile()).size();
    System.out.println("cancel test: cancelled=" + cancelled + " with " + before + " records of " + ids.size());

    BatchJob.builder().model(model).input(in).output(out).engine(TinyModel.engine()).maxBatch(4)
        .parallelism(2).build().execute(StreamExecutionEnvironment.getExecutionEnvironment());
    Map<String, Integer> counts = idCounts(read(job.scoresFile()));
    assertThat(counts).isEqualTo(ones(ids));
    assertThat(idCounts(read(job.rejectedFile()))).isEqualTo(Map.of("cam0/zero.png", 1));
    for (String id : ids) {
      assertThat(job.outputFor(id)).isRegularFile();
    }
    if (cancelled) {
      assertThat(before).as("records before the cancel").isLessThan(ids.size());
    }
  }

  @Test
  void anOutputFolderInsideTheInputIsRefused() {
    assertThatThrownBy(() -> BatchJob.builder().model(model).input(in).output(in.resolve("out")).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not contain one another");
    assertThatThrownBy(() -> BatchJob.builder().model(model).input(out.resolve("denoised/x")).output(out).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> BatchJob.outputFor(out, "../escape.png"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * Untrusted names and links in the input: names with '..', spaces, unicode and URI characters
   * are denoised to their mirrored path; a link to a file inside the input is read like the file;
   * a link to a file outside (a valid image), a link to a folder outside, a link loop back to the
   * input and a link to itself each get one rejection saying why; a folder of the output that is
   * a link elsewhere gets its input rejected rather than written through. Nothing outside OUT is
   * written, nothing outside the input is read, every input has exactly one record.
   */
  @Test
  void untrustedNamesAndLinksGiveOneRecordEachAndNothingIsWrittenOutsideTheOutput(
      @TempDir Path elsewhere) throws Exception {
    List<String> good = List.of("plain.png", "a..b.png", "sub/x..y..png", "sub..dir/z.png",
        "with space.png", "\u00fcn\u00ef-\u56fe\u50cf.png", "100%#x.png", "colon:x.png",
        "sub/deeper/ok.png");
    long seed = 1;
    for (String id : good) {
      write(id, 16, 16, 1, 8, ImageFormat.PNG, false, seed++);
    }
    // names starting with '.' (or '_') are hidden, as documented: a file being written is
    // renamed when complete; they are neither read nor recorded
    write("..png", 16, 16, 1, 8, ImageFormat.PNG, false, 40);
    write("sub/..also-hidden.png", 16, 16, 1, 8, ImageFormat.PNG, false, 41);
    Path outsideDir = Files.createDirectories(elsewhere.resolve("outside"));
    TinyModel.writePng(outsideDir.resolve("secret.png"), 16, 16, 1, 99); // a valid image
    Path trapTarget = Files.createDirectories(elsewhere.resolve("trap-target"));
    Files.createSymbolicLink(in.resolve("link-in.png"), in.resolve("plain.png"));
    Files.createSymbolicLink(in.resolve("link-out.png"), outsideDir.resolve("secret.png"));
    Files.createSymbolicLink(in.resolve("outdir"), outsideDir);
    Files.createDirectories(in.resolve("cam"));
    Files.createSymbolicLink(in.resolve("cam/loop"), in);
    Files.createSymbolicLink(in.resolve("self.png"), in.resolve("self.png"));
    write("trap/x.png", 16, 16, 1, 8, ImageFormat.PNG, false, 50);
    Files.createDirectories(out.resolve("denoised"));
    Files.createSymbolicLink(out.resolve("denoised/trap"), trapTarget);
    Map<Path, byte[]> elsewhereBefore = snapshot(elsewhere);
    Map<Path, byte[]> inBefore = snapshot(in);

    BatchJob job = job().build();
    job.execute(StreamExecutionEnvironment.getExecutionEnvironment());

    List<String> denoised = new ArrayList<>(good);
    denoised.add("link-in.png");
    List<JsonNode> scores = read(job.scoresFile());
    List<JsonNode> rejected = read(job.rejectedFile());
    assertThat(idCounts(scores)).isEqualTo(ones(denoised));
    Map<String, String> why = new TreeMap<>();
    for (JsonNode r : rejected) {
      assertThat(why.put(r.get("id").asText(), r.get("reason").asText() + ": " + r.get("detail").asText()))
          .as("one rejection per input").isNull();
    }
    assertThat(why).containsOnlyKeys("link-out.png", "outdir", "cam/loop", "self.png", "trap/x.png");
    assertThat(why.get("link-out.png")).startsWith("UNREADABLE: ").contains("leads through a link to "
        + outsideDir.toRealPath().resolve("secret.png") + ", outside the allowed root " + in + " (--input)");
    assertThat(why.get("outdir")).startsWith("UNREADABLE: ").contains("leads through a link to "
        + outsideDir.toRealPath());
    assertThat(why.get("cam/loop")).startsWith("UNREADABLE: ").contains("is a link to a folder");
    assertThat(why.get("self.png")).startsWith("UNREADABLE: ").contains("is a link that leads nowhere");
    assertThat(why.get("trap/x.png")).startsWith("PROCESSING_FAILED: ").contains("leads through a link to "
        + trapTarget.toRealPath());

    ImageDecoder decoder = new ImageDecoder(1L << 26);
    for (String id : denoised) {
      Path file = out.resolve("denoised").resolve(id);
      JsonNode rec = scores.stream().filter(r -> r.get("id").asText().equals(id)).findFirst().orElseThrow();
      assertThat(rec.get("output").asText()).as(id).isEqualTo(file.toString());
      assertThat(file).as(id).isRegularFile();
      assertThat(Files.isSymbolicLink(file)).as(id).isFalse();
      DecodedImage den = decoder.decode(file);
      assertThat(List.of(den.width(), den.height())).as(id).isEqualTo(List.of(16, 16));
    }
    // nothing outside OUT written, nothing in the input touched
    assertThat(snapshot(elsewhere)).containsOnlyKeys(elsewhereBefore.keySet());
    elsewhereBefore.forEach((f, b) -> assertThat(readBytes(f)).as(f.toString()).isEqualTo(b));
    try (Stream<Path> st = Files.list(trapTarget)) {
      assertThat(st).isEmpty();
    }
    assertThat(snapshot(in)).containsOnlyKeys(inBefore.keySet());
    // every file under OUT is one of its three kinds of output, at the expected place
    List<Path> expected = new ArrayList<>(List.of(job.scoresFile(), job.rejectedFile()));
    denoised.forEach(id -> expected.add(out.resolve("denoised").resolve(id)));
    try (Stream<Path> st = Files.walk(out)) {
      assertThat(st.filter(Files::isRegularFile)).containsExactlyInAnyOrderElementsOf(expected);
    }

    // a second run adds nothing: the rejections stand, the results are complete
    Map<Path, byte[]> outBefore = snapshot(out);
    JobExecutionResult again = job().build().execute(StreamExecutionEnvironment.getExecutionEnvironment());
    assertThat(again.<Long>getAccumulatorResult(SkipCompleted.SKIPPED)).isEqualTo(denoised.size() + 5L);
    assertThat(snapshot(out)).containsOnlyKeys(outBefore.keySet());
    outBefore.forEach((f, b) -> assertThat(readBytes(f)).as(f.toString()).isEqualTo(b));
  }

  /**
   * The one function that maps an input id to its output file refuses every id that normalises
   * outside OUT/denoised (ids come from the folder walk, so this is the last line if a listing or a
   * ledger ever carried such an id), and keeps names that merely contain dots.
   */
  @Test
  void theOutputPathOfAnIdStaysInsideTheOutputOrIsRefused(@TempDir Path elsewhere) throws IOException {
    Path den = out.resolve("denoised");
    assertThat(BatchJob.outputFor(out, "a..b.png")).isEqualTo(den.resolve("a..b.png"));
    assertThat(BatchJob.outputFor(out, "..png")).isEqualTo(den.resolve("..png"));
    assertThat(BatchJob.outputFor(out, "...")).isEqualTo(den.resolve("..."));
    assertThat(BatchJob.outputFor(out, "cam/./x.png")).isEqualTo(den.resolve("cam/x.png"));
    assertThat(BatchJob.outputFor(out, "cam/../x.png")).isEqualTo(den.resolve("x.png"));
    assertThat(BatchJob.outputFor(out.resolve("o/../"), "x.png")).isEqualTo(den.resolve("x.png"));
    for (String bad : List.of("../escape.png", "cam/../../escape.png", "../denoised-evil/x.png",
        "/etc/passwd", "/" + den + "/x.png", "", ".", "cam/..", "./cam/../..", "a/../../../../x")) {
      assertThatThrownBy(() -> BatchJob.outputFor(out, bad)).as(bad)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("input id " + bad);
    }
    assertThatThrownBy(() -> BatchJob.outputFor(out, "bad\0.png")).isInstanceOf(IllegalArgumentException.class);
    // a folder of the output that is a link elsewhere: refused before anything is written
    Files.createDirectories(den);
    Files.createSymbolicLink(den.resolve("cam"), elsewhere);
    assertThat(BatchJob.outputFor(out, "cam/x.png")).isEqualTo(den.resolve("cam/x.png"));
    assertThatThrownBy(() -> BatchJob.writableOutputFor(out, "cam/x.png"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("leads through a link to "
            + elsewhere.toRealPath());
    Files.createSymbolicLink(den.resolve("file.png"), elsewhere.resolve("target.png"));
    assertThatThrownBy(() -> BatchJob.writableOutputFor(out, "file.png"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a regular file");
    assertThat(BatchJob.writableOutputFor(out, "new/dir/x.png")).isEqualTo(den.resolve("new/dir/x.png"));
    assertThat(den.resolve("new/dir")).isDirectory();
    try (Stream<Path> st = Files.list(elsewhere)) {
      assertThat(st).isEmpty();
    }
  }

  @Test
  void anOutputFolderThatIsALinkIntoTheInputIsRefused(@TempDir Path elsewhere) throws IOException {
    Path link = Files.createSymbolicLink(elsewhere.resolve("out-link"), in);
    assertThatThrownBy(() -> BatchJob.builder().model(model).input(in).output(link).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("through links");
    Path inLink = Files.createSymbolicLink(elsewhere.resolve("in-link"), out.resolve("denoised"));
    Files.createDirectories(out.resolve("denoised/x"));
    assertThatThrownBy(() -> BatchJob.builder().model(model).input(inLink.resolve("x")).output(out).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("through links");
  }

  // --- helpers

  private static long sum(JobID job, String operator, String metric) {
    long n = 0;
    for (Metric m : metrics(job, operator, metric)) {
      n += ((Counter) m).getCount();
    }
    return n;
  }

  private static long histogramCount(JobID job, String operator, String metric) {
    long n = 0;
    for (Metric m : metrics(job, operator, metric)) {
      n += ((Histogram) m).getCount();
    }
    return n;
  }

  private static long histogramSum(JobID job, String operator, String metric) {
    long n = 0;
    for (Metric m : metrics(job, operator, metric)) {
      for (long v : ((Histogram) m).getStatistics().getValues()) {
        n += v;
      }
    }
    return n;
  }

  /** The metric of every subtask of an operator of a job. */
  static List<Metric> metrics(JobID job, String operator, String metric) {
    List<Metric> out = new ArrayList<>();
    for (Map.Entry<MetricGroup, Map<String, Metric>> e : REPORTER.getMetricsByGroup().entrySet()) {
      Map<String, String> vars = e.getKey().getAllVariables();
      if (job.toString().equals(vars.get("<job_id>")) && operator.equals(vars.get("<operator_name>"))
          && e.getValue().containsKey(metric)) {
        out.add(e.getValue().get(metric));
      }
    }
    return out;
  }

  private static Map<String, Integer> ones(List<String> ids) {
    Map<String, Integer> m = new HashMap<>();
    ids.forEach(i -> m.put(i, 1));
    return m;
  }

  private static Map<String, Integer> idCounts(List<JsonNode> records) {
    Map<String, Integer> ids = new HashMap<>();
    for (JsonNode n : records) {
      ids.merge(n.get("id").asText(), 1, Integer::sum);
    }
    return ids;
  }

  private static Map<Path, byte[]> snapshot(Path dir) throws IOException {
    Map<Path, byte[]> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        m.put(p, Files.readAllBytes(p));
      }
    }
    return m;
  }

  private static Map<Path, FileTime> times(Path dir) throws IOException {
    Map<Path, FileTime> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        m.put(p, mtime(p));
      }
    }
    return m;
  }

  private static FileTime mtime(Path p) {
    try {
      return Files.getLastModifiedTime(p);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] readBytes(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** The complete lines of a JSON-lines file (none if it does not exist yet). */
  static List<JsonNode> read(Path file) throws IOException {
    return JsonLines.readRecords(file);
  }

  @SuppressWarnings("unused")
  private static void append(Path file, String text) throws IOException {
    Files.writeString(file, text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }
}
