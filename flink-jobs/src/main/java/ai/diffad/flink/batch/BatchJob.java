package ai.diffad.flink.batch;

import ai.diffad.config.DenoiseMode;
import ai.diffad.config.EngineConfig;
import ai.diffad.denoise.record.Rejection;
import ai.diffad.denoise.run.ScoreRun;
import ai.diffad.flink.feed.DirectoryFeed;
import ai.diffad.flink.feed.FeedRecord;
import ai.diffad.flink.feed.PathRoot;
import ai.diffad.flink.operators.Outputs;
import ai.diffad.flink.sink.AppendingJsonLinesSink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The batch job ({@code diffad batch}): denoises every image under a folder, in Flink's
 * {@link RuntimeExecutionMode#BATCH} over a bounded, recursive {@code FileSource}.
 *
 * <pre>
 * folder (bounded, recursive) -> skip complete -> decode ----------------------> rejected.jsonl
 *                                                   -> batch -> denoise --------^
 *                                                               -> OUT/denoised/&lt;relative path&gt;
 *                                                               -> scores.jsonl
 * </pre>
 *
 * <p>Layout under the output folder OUT: {@code denoised/<relative path>} per input (same name,
 * format, size, channels, bit depth and alpha as the input; written atomically), one record per
 * input in {@code scores.jsonl} ({@link DenoisedRecord}) or {@code rejected.jsonl}.
 *
 * <p>Idempotent. An input is complete when its record is in {@code scores.jsonl} and its denoised
 * file exists, or when it has a rejection in {@code rejected.jsonl}. A run does only the inputs
 * that are not complete, and appends records only for them; a second run over the same folder
 * writes nothing. A run that was killed midway leaves at worst a partial last line (cut),
 * temporary files (deleted) and images written without their record (written again, the same
 * bytes, and recorded); {@link #prepare()} also drops a record whose denoised file is gone, so the
 * input is done again and recorded once. The sinks skip ids already in their file, so a task that
 * Flink restarts does not record an input twice either.
 */
public final class BatchJob {
  private static final Logger LOG = LoggerFactory.getLogger(BatchJob.class);

  /** Results file. */
  public static final String SCORES = ScoreRun.SCORES;
  /** Rejections file. */
  public static final String REJECTED = ScoreRun.REJECTED;
  /** Folder of denoised images under the output folder. */
  public static final String DENOISED = "denoised";

  /** Operator uids. */
  public static final String UID_SOURCE = "batch-source";
  /** Operator uids. */
  public static final String UID_SKIP = "skip-complete";
  /** Operator uids. */
  public static final String UID_DECODE = "decode";
  /** Operator uids. */
  public static final String UID_BATCH = "batch";
  /** Operator uids. */
  public static final String UID_DENOISE = "denoise";
  /** Operator uids. */
  public static final String UID_SCORES_SINK = "scores-sink";
  /** Operator uids. */
  public static final String UID_REJECTED_SINK = "rejected-sink";

  private final Path model;
  private final Path input;
  private final Path output;
  private final Double sigma;
  private final DenoiseMode mode;
  private final EngineConfig engine;
  private final int maxBatch;
  private final int parallelism;
  private final int slotsPerWorker;
  private final boolean retryRejected;

  private BatchJob(Builder b) {
    this.model = Objects.requireNonNull(b.model, "model").toAbsolutePath().normalize();
    this.input = Objects.requireNonNull(b.input, "input").toAbsolutePath().normalize();
    this.output = Objects.requireNonNull(b.output, "output").toAbsolutePath().normalize();
    this.sigma = b.sigma;
    this.mode = b.mode;
    this.engine = b.engine != null ? b.engine : EngineConfig.defaults();
    this.maxBatch = b.maxBatch;
    this.parallelism = b.parallelism;
    this.slotsPerWorker = b.slotsPerWorker != null ? b.slotsPerWorker : b.parallelism;
    this.retryRejected = b.retryRejected;
    if (sigma != null && (!(sigma >= 0) || !Double.isFinite(sigma))) {
      throw new IllegalArgumentException("sigma must be a finite number >= 0, got " + sigma);
    }
    if (maxBatch < 1) {
      throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
    }
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be >= 1, got " + parallelism);
    }
    Path den = denoisedDir();
    if (input.startsWith(den) || den.startsWith(input)) {
      throw new IllegalArgumentException("the input folder " + input + " and the denoised images' folder "
          + den + " must not contain one another (the job would read its own outputs or overwrite"
          + " its inputs); choose an output folder outside the input");
    }
    // The same after following links, for the parts that exist (an output folder that is a link
    // into the input, or an input that is a link to the output).
    Path realIn = realExisting(input);
    Path realDen = realExisting(den);
    if (realIn.startsWith(realDen) || realDen.startsWith(realIn)) {
      throw new IllegalArgumentException("the input folder " + input + " and the denoised images'"
          + " folder " + den + " must not contain one another (through links: " + realIn + " and "
          + realDen + "); choose an output folder outside the input");
    }
  }

  /** {@code p} with its longest existing ancestor's links resolved. */
  private static Path realExisting(Path p) {
    Path existing = p;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return p;
    }
    try {
      return existing.toRealPath().resolve(existing.relativize(p)).normalize();
    } catch (IOException e) {
      return p;
    }
  }

  /** A builder; model, input and output are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The results file. */
  public Path scoresFile() {
    return output.resolve(SCORES);
  }

  /** The rejections file. */
  public Path rejectedFile() {
    return output.resolve(REJECTED);
  }

  /** The folder the denoised images mirror the input under. */
  public Path denoisedDir() {
    return output.resolve(DENOISED);
  }

  /** The denoised file of the input with this id (its path relative to the input folder). */
  public Path outputFor(String id) {
    return outputFor(output, id);
  }

  /**
   * The denoised file of the input with this id under output folder {@code out}:
   * {@code out/denoised/<id>}.
   *
   * @throws IllegalArgumentException for an id that leads outside (ids come from the file source:
   *     paths relative to the input folder, which never do)
   */
  public static Path outputFor(Path out, String id) {
    Path den = out.toAbsolutePath().resolve(DENOISED).normalize();
    Path rel;
    try {
      rel = Path.of(id);
    } catch (java.nio.file.InvalidPathException e) {
      throw new IllegalArgumentException("input id " + id + " is not a relative path: " + e.getReason());
    }
    if (id.isEmpty() || rel.isAbsolute() || rel.getRoot() != null) {
      throw new IllegalArgumentException("input id " + id + " is not a relative path under " + den);
    }
    Path file = den.resolve(rel).normalize();
    if (!file.startsWith(den) || file.equals(den)) {
      throw new IllegalArgumentException("input id " + id + " leads outside " + den);
    }
    return file;
  }

  /**
   * {@link #outputFor(Path, String)} made ready for writing: its folders created, and checked
   * after following links, so that a link inside {@code out/denoised} (left by someone, or a
   * folder of the output that is a link) cannot take the write outside.
   *
   * @throws IllegalArgumentException for an id or a folder that leads outside
   * @throws IOException if the folders cannot be created
   */
  public static Path writableOutputFor(Path out, String id) throws IOException {
    Path file = outputFor(out, id);
    Path den = out.toAbsolutePath().resolve(DENOISED).normalize();
    Files.createDirectories(file.getParent());
    Path realDen = den.toRealPath();
    Path realParent = file.getParent().toRealPath();
    if (!realParent.startsWith(realDen)) {
      throw new IllegalArgumentException("the folder of " + file + " leads through a link to "
          + realParent + ", outside " + realDen);
    }
    if (Files.isSymbolicLink(file) || (Files.exists(file) && !Files.isRegularFile(file))) {
      throw new IllegalArgumentException(file + " exists and is not a regular file");
    }
    return file;
  }

  /**
   * What {@link #prepare()} found from earlier runs.
   *
   * @param done inputs with a record and their denoised file
   * @param rejected inputs with a rejection record
   * @param redo records dropped because their denoised file is missing (those inputs are done
   *     again), or rejections dropped for {@code retryRejected}
   * @param tempFilesRemoved temporary files of interrupted writes deleted
   */
  public record Preparation(int done, int rejected, int redo, int tempFilesRemoved) {}

  /**
   * Makes the output folder consistent before a run (on the client; the folder must be the one the
   * workers see): cuts partial last lines, drops lines that are not records and repeated ids,
   * drops records whose denoised file is missing (and rejections, with {@code retryRejected}),
   * deletes temporary files that interrupted writes left under {@code denoised/}.
   */
  public Preparation prepare() throws IOException {
    Files.createDirectories(output);
    int temps = 0;
    if (Files.isDirectory(denoisedDir())) {
      try (Stream<Path> s = Files.walk(denoisedDir())) {
        for (Path p : s.filter(Files::isRegularFile)
            .filter(p -> p.getFileName().toString().startsWith(".tmp-")
                && p.getFileName().toString().endsWith(".part"))
            .sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
          temps++;
        }
      }
    }
    int[] redo = {0};
    Set<String> done = Ledger.compact(scoresFile(), r -> {
      boolean present;
      try {
        present = Files.isRegularFile(outputFor(r.get("id").asText()));
      } catch (IllegalArgumentException e) {
        present = false;
      }
      if (!present) {
        redo[0]++;
      }
      return present;
    });
    Set<String> rejected = Ledger.compact(rejectedFile(), r -> {
      if (retryRejected || done.contains(r.get("id").asText())) {
        redo[0]++;
        return false;
      }
      return true;
    });
    Preparation p = new Preparation(done.size(), rejected.size(), redo[0], temps);
    LOG.info("{}: {}", output, p);
    return p;
  }

  /** Adds the job to {@code env}: batch mode, restarts, source, operators and sinks. */
  public void wire(StreamExecutionEnvironment env) {
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    Configuration c = new Configuration();
    // A failed task runs again from its input (batch mode has no checkpoints); the skip step and
    // the sinks make that safe.
    c.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
    c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(2));
    env.configure(c);
    env.setParallelism(parallelism);

    DataStream<FeedRecord> files = env
        .fromSource(DirectoryFeed.source(input, null, true), WatermarkStrategy.noWatermarks(),
            "folder " + input)
        .uid(UID_SOURCE);
    SingleOutputStreamOperator<ImageInput> decoded = files
        .filter(new SkipCompleted(output))
        .name("skip complete")
        .uid(UID_SKIP)
        .process(new ImageDecodeFunction(model, engine.maxPixels(), new PathRoot(input, "--input")),
            TypeInformation.of(ImageInput.class))
        .name("decode")
        .uid(UID_DECODE);
    SingleOutputStreamOperator<DenoisedRecord> denoised = decoded
        .transform("batch (" + maxBatch + ")", TypeInformation.of(ImageBatch.class),
            new ImageBatcher(maxBatch))
        .uid(UID_BATCH)
        .process(new DenoiseFunction(model, engine, mode, sigma, output, slotsPerWorker),
            TypeInformation.of(DenoisedRecord.class))
        .name("denoise")
        .uid(UID_DENOISE);
    DataStream<Rejection> rejected = decoded.getSideOutput(Outputs.REJECTED)
        .union(denoised.getSideOutput(Outputs.REJECTED));

    denoised.sinkTo(new AppendingJsonLinesSink<DenoisedRecord>(scoresFile(), DenoisedRecord::id))
        .name("scores " + scoresFile()).uid(UID_SCORES_SINK).setParallelism(1);
    rejected.sinkTo(new AppendingJsonLinesSink<Rejection>(rejectedFile(), Rejection::id))
        .name("rejected " + rejectedFile()).uid(UID_REJECTED_SINK).setParallelism(1);
  }

  /** Prepares the output folder, wires the job onto {@code env} and runs it to the end. */
  public JobExecutionResult execute(StreamExecutionEnvironment env) throws Exception {
    prepare();
    wire(env);
    return env.execute(jobName());
  }

  /** The job's name. */
  public String jobName() {
    return "diffad batch " + input + " -> " + output;
  }

  @Override
  public String toString() {
    return "BatchJob[model=" + model + ", input=" + input + ", output=" + output + ", sigma="
        + (sigma == null ? "auto" : sigma) + ", mode=" + mode.spelling() + ", maxBatch=" + maxBatch
        + ", parallelism=" + parallelism + "]";
  }

  /** Settings of a {@link BatchJob}. */
  public static final class Builder {
    private Path model;
    private Path input;
    private Path output;
    private Double sigma;
    private DenoiseMode mode = DenoiseMode.MMSE;
    private EngineConfig engine;
    private int maxBatch = 8;
    private int parallelism = 1;
    private Integer slotsPerWorker;
    private boolean retryRejected;

    private Builder() {}

    /** The model directory (an image model). */
    public Builder model(Path dir) {
      this.model = dir;
      return this;
    }

    /** The folder of images, read recursively. */
    public Builder input(Path dir) {
      this.input = dir;
      return this;
    }

    /** The output folder: denoised/, scores.jsonl, rejected.jsonl. */
    public Builder output(Path dir) {
      this.output = dir;
      return this;
    }

    /** The noise level of every input (0-255 scale), or null (default) to estimate it per image. */
    public Builder sigma(Double sigma) {
      this.sigma = sigma;
      return this;
    }

    /** mmse (default) or sample. */
    public Builder mode(DenoiseMode mode) {
      this.mode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /** Engine settings: sampler, steps, seed, tiles per network call, tiling, pixel cap. */
    public Builder engine(EngineConfig engine) {
      this.engine = engine;
      return this;
    }

    /** Images per batch (default 8). */
    public Builder maxBatch(int n) {
      this.maxBatch = n;
      return this;
    }

    /** Parallelism of source, decode, batching and denoising (default 1). */
    public Builder parallelism(int p) {
      this.parallelism = p;
      return this;
    }

    /** Task slots per TaskManager, for sizing libtorch's threads (default: the parallelism). */
    public Builder slotsPerWorker(int n) {
      this.slotsPerWorker = n;
      return this;
    }

    /** Whether inputs rejected by an earlier run are tried again (their rejections dropped). */
    public Builder retryRejected(boolean on) {
      this.retryRejected = on;
      return this;
    }

    /** The job. */
    public BatchJob build() {
      return new BatchJob(this);
    }
  }
}
