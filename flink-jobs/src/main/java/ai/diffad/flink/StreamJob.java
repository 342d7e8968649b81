package ai.diffad.flink;

import ai.diffad.config.EngineConfig;
import ai.diffad.denoise.record.Rejection;
import ai.diffad.denoise.record.ScoreRecord;
import ai.diffad.denoise.run.ScoreRun;
import ai.diffad.flink.feed.Batch;
import ai.diffad.flink.feed.DecodedInput;
import ai.diffad.flink.feed.DirectoryFeed;
import ai.diffad.flink.feed.FeedRecord;
import ai.diffad.flink.operators.BatchKeys;
import ai.diffad.flink.operators.DecodeFunction;
import ai.diffad.flink.operators.MicroBatcher;
import ai.diffad.flink.operators.Outputs;
import ai.diffad.flink.operators.ScoreFunction;
import ai.diffad.flink.sink.JsonLinesSink;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The streaming job (DESIGN.md, "Flink topology"), for a watched folder:
 *
 * <pre>
 * directory source -> decode --------------------------------> rejected.jsonl
 *                       -> micro-batch -> score -> scores.jsonl   ^
 *                                          \----------------------/ (PROCESSING_FAILED)
 * </pre>
 *
 * Each operator is a named class with a stable uid (so savepoints map onto a changed job).
 * Checkpointing is on (every 10 s by default): the source's discovered files and positions, the
 * micro-batcher's buffered inputs and timers and the sinks' file lengths are in every checkpoint,
 * so a restored job neither loses nor repeats a record. Build with {@link #builder()}, then
 * {@link #wire} onto an environment and execute it (or {@link #execute}).
 */
public final class StreamJob {
  /** Max parallelism of the keyed operators (key groups); fixed so {@link BatchKeys} can route. */
  public static final int MAX_PARALLELISM = 128;

  /** Operator uids. */
  public static final String UID_SOURCE = "directory-source";
  /** Operator uids. */
  public static final String UID_DECODE = "decode";
  /** Operator uids. */
  public static final String UID_BATCH = "micro-batch";
  /** Operator uids. */
  public static final String UID_SCORE = "score";
  /** Operator uids. */
  public static final String UID_SCORES_SINK = "scores-sink";
  /** Operator uids. */
  public static final String UID_REJECTED_SINK = "rejected-sink";

  private final Path model;
  private final Path input;
  private final Path output;
  private final EngineConfig engine;
  private final int maxBatch;
  private final Duration maxWait;
  private final Duration monitorInterval;
  private final Duration checkpointInterval;
  private final int parallelism;
  private final int slotsPerWorker;
  private final long maxInlineBytes;

  private StreamJob(Builder b) {
    this.model = Objects.requireNonNull(b.model, "model");
    this.input = Objects.requireNonNull(b.input, "input");
    this.output = Objects.requireNonNull(b.output, "output");
    this.engine = b.engine != null ? b.engine : EngineConfig.defaults();
    this.maxBatch = b.maxBatch != null ? b.maxBatch : this.engine.batchSize();
    this.maxWait = b.maxWait;
    this.monitorInterval = b.monitorInterval;
    this.checkpointInterval = b.checkpointInterval;
    this.parallelism = b.parallelism;
    this.slotsPerWorker = b.slotsPerWorker != null ? b.slotsPerWorker : b.parallelism;
    this.maxInlineBytes = b.maxInlineBytes;
    if (maxBatch < 1) {
      throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
    }
    if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
      throw new IllegalArgumentException("parallelism must be in [1, " + MAX_PARALLELISM + "], got "
          + parallelism);
    }
  }

  /** A builder; model, input and output are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The results file. */
  public Path scoresFile() {
    return output.resolve(ScoreRun.SCORES);
  }

  /** The rejections file. */
  public Path rejectedFile() {
    return output.resolve(ScoreRun.REJECTED);
  }

  /** Whether the source ends after the files present at start (no monitoring). */
  public boolean bounded() {
    return monitorInterval == null;
  }

  /** Adds the job to {@code env}: checkpointing, source, operators and sinks. */
  public void wire(StreamExecutionEnvironment env) {
    if (checkpointInterval != null) {
      env.enableCheckpointing(checkpointInterval.toMillis());
    }
    env.setParallelism(parallelism);

    DataStream<FeedRecord> feed = env
        .fromSource(DirectoryFeed.source(input, monitorInterval), WatermarkStrategy.noWatermarks(),
            "directory source " + input)
        .uid(UID_SOURCE);

    SingleOutputStreamOperator<DecodedInput> decoded = feed
        .process(new DecodeFunction(model, engine, maxInlineBytes))
        .name("decode")
        .uid(UID_DECODE);

    SingleOutputStreamOperator<Batch> batches = decoded
        .keyBy(new BatchKeys(parallelism, MAX_PARALLELISM))
        .transform("micro-batch (" + maxBatch + ", " + maxWait.toMillis() + " ms)",
            TypeInformation.of(Batch.class), new MicroBatcher(maxBatch, maxWait))
        .setMaxParallelism(MAX_PARALLELISM)
        .uid(UID_BATCH);

    SingleOutputStreamOperator<ScoreRecord> scored = batches
        .process(new ScoreFunction(model, engine, slotsPerWorker), TypeInformation.of(ScoreRecord.class))
        .name("score")
        .uid(UID_SCORE);

    scored
        .sinkTo(new JsonLinesSink<ScoreRecord>(output, ScoreRun.SCORES))
        .name("scores " + scoresFile())
        .uid(UID_SCORES_SINK)
        .setParallelism(1);

    DataStream<Rejection> rejected = decoded.getSideOutput(Outputs.REJECTED)
        .union(scored.getSideOutput(Outputs.REJECTED));
    rejected
        .sinkTo(new JsonLinesSink<Rejection>(output, ScoreRun.REJECTED))
        .name("rejected " + rejectedFile())
        .uid(UID_REJECTED_SINK)
        .setParallelism(1);
  }

  /** Wires the job onto {@code env} and runs it (returns when a bounded job ends). */
  public JobExecutionResult execute(StreamExecutionEnvironment env) throws Exception {
    wire(env);
    return env.execute("diffad stream " + input);
  }

  @Override
  public String toString() {
    return "StreamJob[model=" + model + ", input=" + input + ", output=" + output + ", maxBatch="
        + maxBatch + ", maxWait=" + maxWait + ", monitor=" + monitorInterval + ", checkpoints="
        + checkpointInterval + ", parallelism=" + parallelism + "]";
  }

  /** Settings of a {@link StreamJob}. */
  public static final class Builder {
    private Path model;
    private Path input;
    private Path output;
    private EngineConfig engine;
    private Integer maxBatch;
    private Duration maxWait = Duration.ofMillis(500);
    private Duration monitorInterval = Duration.ofSeconds(2);
    private Duration checkpointInterval = Duration.ofSeconds(10);
    private int parallelism = 1;
    private Integer slotsPerWorker;
    private long maxInlineBytes = FeedRecord.DEFAULT_MAX_INLINE_BYTES;

    private Builder() {}

    /** The model directory. */
    public Builder model(Path dir) {
      this.model = dir;
      return this;
    }

    /** The folder to watch (recursively). */
    public Builder input(Path dir) {
      this.input = dir;
      return this;
    }

    /** The folder for scores.jsonl and rejected.jsonl. */
    public Builder output(Path dir) {
      this.output = dir;
      return this;
    }

    /** Engine settings (default: {@link EngineConfig#defaults()}). */
    public Builder engine(EngineConfig engine) {
      this.engine = engine;
      return this;
    }

    /** Inputs per batch (default: the engine's batch size). */
    public Builder maxBatch(int n) {
      this.maxBatch = n;
      return this;
    }

    /** Longest an input waits for its batch to fill (default 500 ms). */
    public Builder maxWait(Duration d) {
      this.maxWait = Objects.requireNonNull(d, "maxWait");
      return this;
    }

    /** How often to look for new files (default 2 s). */
    public Builder monitorInterval(Duration d) {
      this.monitorInterval = Objects.requireNonNull(d, "monitorInterval");
      return this;
    }

    /** Read the files present at start, then end (no monitoring): for tests and batch runs. */
    public Builder bounded() {
      this.monitorInterval = null;
      return this;
    }

    /** Checkpoint interval (default 10 s); null turns checkpointing off. */
    public Builder checkpointInterval(Duration d) {
      this.checkpointInterval = d;
      return this;
    }

    /** Parallelism of source, decode, batch and score (default 1); the sinks run at 1. */
    public Builder parallelism(int p) {
      this.parallelism = p;
      return this;
    }

    /** Scorers sharing one worker's cores (default: the parallelism, as in a local run). */
    public Builder slotsPerWorker(int slots) {
      this.slotsPerWorker = slots;
      return this;
    }

    /** Cap on base64 payloads (default 32 MiB). */
    public Builder maxInlineBytes(long bytes) {
      this.maxInlineBytes = bytes;
      return this;
    }

    /** The job. */
    public StreamJob build() {
      return new StreamJob(this);
    }
  }
}
