package ai.diffad.flink;

import ai.diffad.config.EngineConfig;
import ai.diffad.denoise.record.Rejection;
import ai.diffad.denoise.record.ScoreRecord;
import ai.diffad.denoise.run.ScoreRun;
import ai.diffad.flink.alerts.Alert;
import ai.diffad.flink.alerts.AlertFunction;
import ai.diffad.flink.config.StreamConfig;
import ai.diffad.flink.feed.Batch;
import ai.diffad.denoise.record.DecodedInput;
import ai.diffad.flink.feed.DirectoryFeed;
import ai.diffad.flink.feed.FeedRecord;
import ai.diffad.flink.feed.PathRoot;
import ai.diffad.flink.kafka.KafkaFeed;
import ai.diffad.flink.kafka.KafkaMessage;
import ai.diffad.flink.kafka.KafkaOutputs;
import ai.diffad.flink.kafka.ParseFunction;
import ai.diffad.flink.operators.BatchKeys;
import ai.diffad.flink.operators.DecodeFunction;
import ai.diffad.flink.operators.MicroBatcher;
import ai.diffad.flink.operators.OnlineScoreFunction;
import ai.diffad.flink.operators.Outputs;
import ai.diffad.flink.operators.ScoreFunction;
import ai.diffad.flink.sink.JsonLinesSink;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The streaming job (DESIGN.md, "Flink topology"):
 *
 * <pre>
 * directory source ------------------> decode ---------------------------------> rejected
 * Kafka source -> parse (+ path root) -^  -> micro-batch -> score -> results      ^  ^
 *                  \---------------------------------------------|--------------/  |
 *                                                                 |-> alerts        |
 *                                                                 \-----------------/ (PROCESSING_FAILED)
 * results, rejected and alerts -> JSON lines files (scores.jsonl, rejected.jsonl, alerts.jsonl)
 *                               and/or Kafka topics (diffad.scores, diffad.rejected, diffad.alerts)
 * </pre>
 *
 * Each operator is a named class with a stable uid (so savepoints map onto a changed job).
 * Checkpointing is on (every 10 s by default): the sources' positions (files discovered, Kafka
 * offsets), the micro-batcher's buffered inputs and timers, the alert state and the sinks' file
 * lengths and open Kafka transactions are in every checkpoint, so a restored job neither loses
 * nor repeats a record in the files or, read with read_committed, the topics. Build with
 * {@link #builder()} (or {@link #builder(StreamConfig)}), then {@link #wire} onto an environment
 * and execute it (or {@link #execute}).
 */
public final class StreamJob {
  /** Max parallelism of the keyed operators (key groups); fixed so {@link BatchKeys} can route. */
  public static final int MAX_PARALLELISM = StreamConfig.MAX_PARALLELISM;

  /** Operator uids. */
  public static final String UID_SOURCE = "directory-source";
  /** Operator uids. */
  public static final String UID_KAFKA_SOURCE = "kafka-source";
  /** Operator uids. */
  public static final String UID_PARSE = "parse";
  /** Operator uids. */
  public static final String UID_DECODE = "decode";
  /** Operator uids. */
  public static final String UID_BATCH = "micro-batch";
  /** Operator uids. */
  public static final String UID_SCORE = "score";
  /** Operator uids. */
  public static final String UID_TAP = "score-tap";
  /**
   * Why a job that learns online needs checkpoint storage of its own: each source's weights are
   * keyed state (1.8 MB for the NAB imputer), and the JobManager's memory storage refuses a
   * checkpoint over 5 MB; without this check three sources made every checkpoint fail and the job
   * restart over and over.
   */
  static final String ONLINE_NEEDS_DIR = "online learning keeps each source's model weights as"
      + " checkpointed state (megabytes per source), more than the JobManager's memory storage"
      + " holds (5 MB): set checkpointing.dir to a folder or file:// URI";

  /** Uid of the per-source scorer that learns online. */
  public static final String UID_ONLINE_SCORE = "online-score";
  /** Operator uids. */
  public static final String UID_ALERTS = "alerts";
  /** Operator uids. */
  public static final String UID_SCORES_SINK = "scores-sink";
  /** Operator uids. */
  public static final String UID_REJECTED_SINK = "rejected-sink";
  /** Operator uids. */
  public static final String UID_ALERTS_SINK = "alerts-sink";
  /** Operator uids. */
  public static final String UID_SCORES_KAFKA = "scores-kafka-sink";
  /** Operator uids. */
  public static final String UID_REJECTED_KAFKA = "rejected-kafka-sink";
  /** Operator uids. */
  public static final String UID_ALERTS_KAFKA = "alerts-kafka-sink";

  /** The alerts file in the output folder. */
  public static final String ALERTS = "alerts.jsonl";

  private final Path model;
  private final Path input;
  private final boolean recursive;
  private final StreamConfig.KafkaInput kafkaInput;
  private final Path output;
  private final StreamConfig.KafkaOutput kafkaOutput;
  private final boolean maps;
  private final boolean denoised;
  private final StreamConfig.Alerts alerts;
  private final EngineConfig engine;
  private final int maxBatch;
  private final Duration maxWait;
  private final Duration monitorInterval;
  private final Duration checkpointInterval;
  private final boolean exactlyOnce;
  private final String checkpointDir;
  private final int parallelism;
  private final int slotsPerWorker;
  private final long maxInlineBytes;
  private final MapFunction<ScoreRecord, ScoreRecord> scoreTap;
  private final ai.diffad.config.OnlineConfig online;

  private StreamJob(Builder b) {
    this.model = Objects.requireNonNull(b.model, "model");
    if ((b.input == null) == (b.kafkaInput == null)) {
      throw new IllegalArgumentException("give exactly one source: input (a folder) or kafkaInput");
    }
    if (b.output == null && b.kafkaOutput == null) {
      throw new IllegalArgumentException("give an output folder, Kafka outputs or both");
    }
    this.input = b.input;
    this.recursive = b.recursive;
    this.kafkaInput = b.kafkaInput;
    this.output = b.output;
    this.kafkaOutput = b.kafkaOutput;
    this.maps = b.maps;
    this.denoised = b.denoised;
    if ((maps || denoised) && output == null) {
      throw new IllegalArgumentException("maps and denoised images need an output folder");
    }
    this.alerts = b.alerts;
    this.engine = b.engine != null ? b.engine : EngineConfig.defaults();
    this.maxBatch = b.maxBatch != null ? b.maxBatch : this.engine.batchSize();
    this.maxWait = b.maxWait;
    this.monitorInterval = b.monitorInterval;
    this.checkpointInterval = b.checkpointInterval;
    this.exactlyOnce = b.exactlyOnce;
    this.checkpointDir = b.checkpointDir;
    this.parallelism = b.parallelism;
    this.slotsPerWorker = b.slotsPerWorker != null ? b.slotsPerWorker : b.parallelism;
    this.maxInlineBytes = b.kafkaInput != null ? b.kafkaInput.maxInlineBytes() : b.maxInlineBytes;
    this.scoreTap = b.scoreTap;
    this.online = b.online;
    if ((maps || denoised) && online != null) {
      throw new IllegalArgumentException("online learning scores series; maps and denoised"
          + " images are for image models");
    }
    if (maxBatch < 1) {
      throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
    }
    if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
      throw new IllegalArgumentException("parallelism must be in [1, " + MAX_PARALLELISM + "], got "
          + parallelism);
    }
    if (online != null && checkpointInterval != null && checkpointDir == null) {
      throw new IllegalArgumentException(ONLINE_NEEDS_DIR);
    }
    if (kafkaOutput != null && exactlyOnce && checkpointInterval == null) {
      throw new IllegalArgumentException("exactly-once Kafka outputs need checkpointing");
    }
  }

  /** A builder; model, a source and an output are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder set from a stream configuration. */
  public static Builder builder(StreamConfig c) {
    if (c.online() != null && c.checkpointing().dir() == null) {
      throw new ai.diffad.config.ConfigException("checkpointing.dir", ONLINE_NEEDS_DIR);
    }
    // Without an engine of its own the stream scores with the model's (read only then).
    ai.diffad.model.artifact.ModelManifest manifest = c.engine() != null && c.online() == null
        ? null : ai.diffad.model.artifact.ModelArtifact.readManifest(c.model());
    if (c.online() != null && !manifest.isSeries()) {
      throw new ai.diffad.config.ConfigException("online", "learns series models online; model "
          + manifest.name() + " takes images");
    }
    EngineConfig engine = c.engine() != null ? c.engine() : c.engineFor(manifest.config());
    Builder b = new Builder()
        .model(c.model())
        .engine(engine)
        .maxBatch(c.maxBatchFor(engine))
        .maxWait(c.batching().maxWait())
        .checkpointInterval(c.checkpointing().interval())
        .exactlyOnce(c.checkpointing().exactlyOnce())
        .checkpointDir(c.checkpointing().dir())
        .parallelism(c.parallelism())
        .alerts(c.alerts().enabled() ? c.alerts() : null)
        .images(c.outputs().maps(), c.outputs().denoised())
        .online(c.online());
    if (c.source().kind() == StreamConfig.SourceKind.DIRECTORY) {
      b.input(c.source().directory().path())
          .recursive(c.source().directory().recursive())
          .monitorInterval(c.source().directory().monitorInterval());
    } else {
      b.kafkaInput(c.source().kafka());
    }
    if (c.outputs().dir() != null) {
      b.output(c.outputs().dir());
    }
    if (c.outputs().kafka() != null) {
      b.kafkaOutput(c.outputs().kafka());
    }
    return b;
  }

  /** The results file (null without an output folder). */
  public Path scoresFile() {
    return output == null ? null : output.resolve(ScoreRun.SCORES);
  }

  /** The rejections file (null without an output folder). */
  public Path rejectedFile() {
    return output == null ? null : output.resolve(ScoreRun.REJECTED);
  }

  /** The alerts file (null without an output folder). */
  public Path alertsFile() {
    return output == null ? null : output.resolve(ALERTS);
  }

  /** Whether the source ends after the files present at start (no monitoring). */
  public boolean bounded() {
    return kafkaInput == null && monitorInterval == null;
  }

  /** A short description of the source, for job names and messages. */
  public String sourceName() {
    return kafkaInput != null
        ? "kafka " + kafkaInput.topic() + " at " + kafkaInput.bootstrapServers()
        : "folder " + input;
  }

  /** Adds the job to {@code env}: checkpointing, source, operators and sinks. */
  public void wire(StreamExecutionEnvironment env) {
    if (checkpointInterval != null) {
      env.enableCheckpointing(checkpointInterval.toMillis(),
          exactlyOnce ? CheckpointingMode.EXACTLY_ONCE : CheckpointingMode.AT_LEAST_ONCE);
      if (checkpointDir != null) {
        Configuration c = new Configuration();
        c.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        c.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDir.contains(":/")
            ? checkpointDir : Path.of(checkpointDir).toAbsolutePath().toUri().toString());
        env.configure(c);
      }
    }
    env.setParallelism(parallelism);

    DataStream<FeedRecord> feed;
    SingleOutputStreamOperator<FeedRecord> parsed = null;
    if (kafkaInput != null) {
      DataStream<KafkaMessage> messages = env
          .fromSource(KafkaFeed.source(kafkaInput), WatermarkStrategy.noWatermarks(),
              "kafka source " + kafkaInput.topic())
          .uid(UID_KAFKA_SOURCE);
      PathRoot root = kafkaInput.allowedPathRoot() == null ? null
          : new PathRoot(kafkaInput.allowedPathRoot(), "source.kafka.allowedPathRoot");
      parsed = messages
          .process(new ParseFunction(maxInlineBytes, root), TypeInformation.of(FeedRecord.class))
          .name("parse")
          .uid(UID_PARSE);
      feed = parsed;
    } else {
      SingleOutputStreamOperator<FeedRecord> files = env
          .fromSource(DirectoryFeed.source(input, monitorInterval, recursive),
              WatermarkStrategy.noWatermarks(), "directory source " + input)
          .uid(UID_SOURCE);
      if (online != null) {
        files.setParallelism(1); // see the decode step below
      }
      feed = files;
    }

    SingleOutputStreamOperator<DecodedInput> decoded = feed
        .process(new DecodeFunction(model, engine, maxInlineBytes,
            kafkaInput != null ? null : new PathRoot(input, "source.directory.path")))
        .name("decode")
        .uid(UID_DECODE);
    if (online != null && kafkaInput == null) {
      // A source's rows must reach its learner in time order: one reader takes the files in name
      // order (InOrderSplitAssigner) and decodes them in that order; with several, two files of
      // one source could be decoded side by side and arrive swapped. (Kafka keeps the order of a
      // partition by itself.) Reading and decoding a chunk of rows is cheap beside scoring it.
      decoded.setParallelism(1);
    }

    SingleOutputStreamOperator<ScoreRecord> scored;
    if (online != null) {
      // Per-source model state: keyed by source, one input at a time (a series' windows are
      // batched by the engine).
      scored = decoded
          .keyBy(OnlineScoreFunction::keyOf, org.apache.flink.api.common.typeinfo.Types.STRING)
          .process(new OnlineScoreFunction(model, engine, slotsPerWorker, online),
              TypeInformation.of(ScoreRecord.class))
          .setMaxParallelism(MAX_PARALLELISM)
          .name("score, learning online per source (every " + online.every() + " rows)")
          .uid(UID_ONLINE_SCORE);
    } else {
      SingleOutputStreamOperator<Batch> batches = decoded
          .keyBy(new BatchKeys(parallelism, MAX_PARALLELISM))
          .transform("micro-batch (" + maxBatch + ", " + maxWait.toMillis() + " ms)",
              TypeInformation.of(Batch.class), new MicroBatcher(maxBatch, maxWait))
          .setMaxParallelism(MAX_PARALLELISM)
          .uid(UID_BATCH);
      scored = batches
          .process(new ScoreFunction(model, engine, slotsPerWorker, output, maps, denoised),
              TypeInformation.of(ScoreRecord.class))
          .name("score")
          .uid(UID_SCORE);
    }

    DataStream<ScoreRecord> results = scored;
    if (scoreTap != null) {
      results = scored.map(scoreTap, TypeInformation.of(ScoreRecord.class)).name("score tap").uid(UID_TAP);
    }

    DataStream<Rejection> rejected = decoded.getSideOutput(Outputs.REJECTED)
        .union(scored.getSideOutput(Outputs.REJECTED));
    if (parsed != null) {
      rejected = rejected.union(parsed.getSideOutput(Outputs.REJECTED));
    }

    DataStream<Alert> raised = null;
    if (alerts != null) {
      raised = results
          .keyBy(AlertFunction::keyOf, Types.STRING)
          .process(new AlertFunction(alerts.count(), alerts.window(), alerts.cooldown(),
              alerts.threshold()), TypeInformation.of(Alert.class))
          .setMaxParallelism(MAX_PARALLELISM)
          .name("alerts (" + alerts.count() + " in " + alerts.window().toSeconds() + " s, cool-down "
              + alerts.cooldown().toSeconds() + " s)")
          .uid(UID_ALERTS);
    }

    if (output != null) {
      results.sinkTo(new JsonLinesSink<ScoreRecord>(output, ScoreRun.SCORES))
          .name("scores " + scoresFile()).uid(UID_SCORES_SINK).setParallelism(1);
      rejected.sinkTo(new JsonLinesSink<Rejection>(output, ScoreRun.REJECTED))
          .name("rejected " + rejectedFile()).uid(UID_REJECTED_SINK).setParallelism(1);
      if (raised != null) {
        raised.sinkTo(new JsonLinesSink<Alert>(output, ALERTS))
            .name("alerts " + alertsFile()).uid(UID_ALERTS_SINK).setParallelism(1);
      }
    }
    if (kafkaOutput != null) {
      results.sinkTo(KafkaOutputs.<ScoreRecord>sink(kafkaOutput, kafkaOutput.scores(), "scores",
              ScoreRecord::id, exactlyOnce))
          .name("kafka " + kafkaOutput.scores()).uid(UID_SCORES_KAFKA);
      rejected.sinkTo(KafkaOutputs.<Rejection>sink(kafkaOutput, kafkaOutput.rejected(), "rejected",
              Rejection::id, exactlyOnce))
          .name("kafka " + kafkaOutput.rejected()).uid(UID_REJECTED_KAFKA);
      if (raised != null) {
        raised.sinkTo(KafkaOutputs.<Alert>sink(kafkaOutput, kafkaOutput.alerts(), "alerts",
                Alert::source, exactlyOnce))
            .name("kafka " + kafkaOutput.alerts()).uid(UID_ALERTS_KAFKA);
      }
    }
  }

  /** Wires the job onto {@code env} and runs it (returns when a bounded job ends). */
  public JobExecutionResult execute(StreamExecutionEnvironment env) throws Exception {
    wire(env);
    return env.execute(jobName());
  }

  /** The job's name. */
  public String jobName() {
    return "diffad stream " + sourceName();
  }

  @Override
  public String toString() {
    return "StreamJob[model=" + model + ", source=" + sourceName() + ", output=" + output
        + ", kafkaOutput=" + (kafkaOutput == null ? null : kafkaOutput.bootstrapServers())
        + ", maxBatch=" + maxBatch + ", maxWait=" + maxWait + ", monitor=" + monitorInterval
        + ", checkpoints=" + checkpointInterval + ", exactlyOnce=" + exactlyOnce
        + ", parallelism=" + parallelism + "]";
  }

  /** Settings of a {@link StreamJob}. */
  public static final class Builder {
    private Path model;
    private Path input;
    private boolean recursive = true;
    private StreamConfig.KafkaInput kafkaInput;
    private Path output;
    private StreamConfig.KafkaOutput kafkaOutput;
    private boolean maps;
    private boolean denoised;
    private StreamConfig.Alerts alerts = new StreamConfig.Alerts(null, null, null, null, null);
    private EngineConfig engine;
    private Integer maxBatch;
    private Duration maxWait = Duration.ofMillis(500);
    private Duration monitorInterval = Duration.ofSeconds(2);
    private Duration checkpointInterval = Duration.ofSeconds(10);
    private boolean exactlyOnce = true;
    private String checkpointDir;
    private int parallelism = 1;
    private Integer slotsPerWorker;
    private long maxInlineBytes = FeedRecord.DEFAULT_MAX_INLINE_BYTES;
    private MapFunction<ScoreRecord, ScoreRecord> scoreTap;
    private ai.diffad.config.OnlineConfig online;

    private Builder() {}

    /** The model directory. */
    public Builder model(Path dir) {
      this.model = dir;
      return this;
    }

    /** The folder to watch (the source; or {@link #kafkaInput}). */
    public Builder input(Path dir) {
      this.input = dir;
      return this;
    }

    /** Whether files in sub-folders of the watched folder count (default true). */
    public Builder recursive(boolean on) {
      this.recursive = on;
      return this;
    }

    /** The Kafka topic to read (the source; or {@link #input}). */
    public Builder kafkaInput(StreamConfig.KafkaInput cfg) {
      this.kafkaInput = cfg;
      return this;
    }

    /** The folder for scores.jsonl, rejected.jsonl and alerts.jsonl. */
    public Builder output(Path dir) {
      this.output = dir;
      return this;
    }

    /** Kafka topics for results, rejections and alerts. */
    public Builder kafkaOutput(StreamConfig.KafkaOutput cfg) {
      this.kafkaOutput = cfg;
      return this;
    }

    /** Per-image files under the output folder: maps and overlays, denoised images. */
    public Builder images(boolean maps, boolean denoised) {
      this.maps = maps;
      this.denoised = denoised;
      return this;
    }

    /**
     * Learn online per source (series models): inputs are keyed by source and each source's
     * model is fine-tuned on its own past, with the state checkpointed; null (default): the
     * shared model, micro-batched.
     */
    public Builder online(ai.diffad.config.OnlineConfig cfg) {
      this.online = cfg;
      return this;
    }

    /** Alert settings (default: 3 in 60 s, cool-down 5 min); null: no alerts. */
    public Builder alerts(StreamConfig.Alerts cfg) {
      this.alerts = cfg;
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

    /** Exactly-once checkpoints and Kafka transactions (default), or at least once. */
    public Builder exactlyOnce(boolean on) {
      this.exactlyOnce = on;
      return this;
    }

    /** Checkpoint storage (folder or URI); null: the JobManager's memory. */
    public Builder checkpointDir(String dir) {
      this.checkpointDir = dir;
      return this;
    }

    /** Parallelism of source, decode, batch, score and alerts (default 1); file sinks run at 1. */
    public Builder parallelism(int p) {
      this.parallelism = p;
      return this;
    }

    /** Scorers sharing one worker's cores (default: the parallelism, as in a local run). */
    public Builder slotsPerWorker(int slots) {
      this.slotsPerWorker = slots;
      return this;
    }

    /** Cap on base64 payloads for a folder source (a Kafka source takes its own; default 32 MiB). */
    public Builder maxInlineBytes(long bytes) {
      this.maxInlineBytes = bytes;
      return this;
    }

    /**
     * A map applied to every result before the sinks and alerts (default: none). For monitoring
     * hooks and for tests that inject a failure into a running job.
     */
    public Builder scoreTap(MapFunction<ScoreRecord, ScoreRecord> tap) {
      this.scoreTap = tap;
      return this;
    }

    /** The job. */
    public StreamJob build() {
      return new StreamJob(this);
    }
  }
}
