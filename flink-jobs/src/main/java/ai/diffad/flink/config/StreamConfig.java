package ai.diffad.flink.config;

import ai.diffad.config.Check;
import ai.diffad.config.ConfigException;
import ai.diffad.config.ConfigLoader;
import ai.diffad.config.EngineConfig;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Settings of the streaming job ({@code diffad stream --config FILE}), read like the model
 * profiles with {@link ConfigLoader}: YAML or JSON, unknown keys refused, every error names its
 * field path ({@code source.kafka.topic: ...}). Every section but {@code model} and
 * {@code source} has defaults.
 *
 * <pre>
 * model: models/magnetic-tile
 * source:
 *   kind: kafka                      # directory | kafka
 *   kafka: {bootstrapServers: localhost:9092, topic: diffad.inputs}
 * batching: {maxSize: 8, maxWait: 500ms}
 * outputs:
 *   dir: out/stream                  # scores.jsonl, rejected.jsonl, alerts.jsonl (optional)
 *   kafka: {bootstrapServers: localhost:9092}   # diffad.scores / .alerts / .rejected (optional)
 * alerts: {count: 3, window: 60s, cooldown: 5m}
 * checkpointing: {interval: 10s, exactlyOnce: on}
 * metrics: {prometheus: on, port: 9249}   # local run: http://localhost:9249/metrics
 * dashboard: {on: true, port: 8090}      # the live dashboard of the results, on 127.0.0.1
 * parallelism: 1
 * online: {every: 500, steps: 5, batchSize: 16, learningRate: 2e-4, history: 2000, ema: 0}   # series
 * </pre>
 *
 * @param model the model directory
 * @param source where inputs come from
 * @param batching micro-batching
 * @param engine engine settings; null (the default): the model's own, its profile's {@code engine:}
 *     ({@link ai.diffad.config.DiffadConfig#engineDefaults()})
 * @param outputs where results, rejections and alerts go
 * @param alerts alert debouncing
 * @param checkpointing checkpoint interval and delivery guarantee
 * @param parallelism parallelism of source, decode, batching and scoring (default 1)
 * @param metrics metric reporting of a local run (default: Flink's web UI and REST API only)
 * @param dashboard the live dashboard started with the job (default off)
 * @param online learn online per source (series models only): each source's copy of the model
 *     is fine-tuned on its own past every {@code online.every} rows, checkpointed with the job;
 *     null (default): the shared model
 */
public record StreamConfig(
    Path model,
    Source source,
    Batching batching,
    EngineConfig engine,
    Outputs outputs,
    Alerts alerts,
    Checkpointing checkpointing,
    Integer parallelism,
    Metrics metrics,
    Dashboard dashboard,
    ai.diffad.config.OnlineConfig online) {

  /** A configuration without online learning. */
  public StreamConfig(Path model, Source source, Batching batching, EngineConfig engine,
      Outputs outputs, Alerts alerts, Checkpointing checkpointing, Integer parallelism,
      Metrics metrics, Dashboard dashboard) {
    this(model, source, batching, engine, outputs, alerts, checkpointing, parallelism, metrics,
        dashboard, null);
  }

  /** Largest parallelism (the keyed operators' max parallelism). */
  public static final int MAX_PARALLELISM = 128;

  /** Validates and fills defaults. */
  public StreamConfig {
    Check.required("model", model);
    Check.required("source", source);
    batching = batching == null ? new Batching(null, null) : batching;
    outputs = Check.required("outputs", outputs);
    alerts = alerts == null ? new Alerts(null, null, null, null, null) : alerts;
    checkpointing = checkpointing == null ? new Checkpointing(null, null, null) : checkpointing;
    parallelism = parallelism == null ? 1 : parallelism;
    Check.inRange("parallelism", parallelism, 1, MAX_PARALLELISM);
    metrics = metrics == null ? new Metrics(null, null) : metrics;
    dashboard = dashboard == null ? new Dashboard(null, null, null, null, null) : dashboard;
    if (outputs.kafka() != null && outputs.kafka().bootstrapServers() == null) {
      if (source.kafka() == null) {
        throw new ConfigException("outputs.kafka.bootstrapServers",
            "is required (there is no source.kafka.bootstrapServers to take it from)");
      }
      outputs = new Outputs(outputs.dir(), outputs.kafka().withBootstrapServers(
          source.kafka().bootstrapServers()), outputs.maps(), outputs.denoised());
    }
    if ((outputs.maps() || outputs.denoised()) && outputs.dir() == null) {
      throw new ConfigException(outputs.maps() ? "outputs.maps" : "outputs.denoised",
          "needs outputs.dir: images are written under it");
    }
    if (outputs.kafka() != null
        && outputs.kafka().transactionTimeout().compareTo(checkpointing.interval().multipliedBy(2)) < 0) {
      throw new ConfigException("outputs.kafka.transactionTimeout", "must be at least twice"
          + " checkpointing.interval (" + DurationText.format(checkpointing.interval()) + "), got "
          + DurationText.format(outputs.kafka().transactionTimeout()));
    }
  }

  /** Inputs per scoring batch: batching.maxSize, else the batch size of the engine that scores. */
  public int maxBatchFor(EngineConfig scoring) {
    return batching.maxSize() != null ? batching.maxSize() : scoring.batchSize();
  }

  /** The engine settings for a model of {@code profile}: this configuration's, else the model's. */
  public EngineConfig engineFor(ai.diffad.config.DiffadConfig profile) {
    return engine != null ? engine : profile.engineDefaults();
  }

  /** Reads a stream configuration file (YAML or JSON). */
  public static StreamConfig load(Path file) {
    return ConfigLoader.read(file, StreamConfig.class);
  }

  /** Parses stream configuration text. */
  public static StreamConfig parse(String text, boolean json) {
    return ConfigLoader.parse(text, json, StreamConfig.class);
  }

  /** Kinds of source. */
  public enum SourceKind implements Check.Named {
    /** A watched folder: every new file is an input. */
    DIRECTORY,
    /** A Kafka topic of JSON feed records. */
    KAFKA;

    /** Parses the file spelling. */
    @JsonCreator
    public static SourceKind parse(String text) {
      return Check.named("", SourceKind.class, text);
    }

    @JsonValue
    @Override
    public String spelling() {
      return Check.Named.super.spelling();
    }
  }

  /**
   * Where inputs come from.
   *
   * @param kind directory or kafka (default: the one section given)
   * @param directory the watched folder, for kind directory
   * @param kafka the input topic, for kind kafka
   */
  public record Source(SourceKind kind, Directory directory, KafkaInput kafka) {
    /** Validates and fills defaults. */
    public Source {
      if (kind == null) {
        if (directory != null && kafka == null) {
          kind = SourceKind.DIRECTORY;
        } else if (kafka != null && directory == null) {
          kind = SourceKind.KAFKA;
        } else {
          throw new ConfigException("kind", "is required: one of " + Check.allowed(SourceKind.class));
        }
      }
      if (kind == SourceKind.DIRECTORY && directory == null) {
        throw new ConfigException("directory", "is required when source.kind is directory");
      }
      if (kind == SourceKind.KAFKA && kafka == null) {
        throw new ConfigException("kafka", "is required when source.kind is kafka");
      }
    }
  }

  /**
   * A watched folder.
   *
   * @param path the folder
   * @param recursive whether files in sub-folders count (default on); their first folder is the
   *     record's source
   * @param monitorInterval how often to look for new files (default 2s)
   */
  public record Directory(
      Path path,
      @JsonDeserialize(using = OnOff.class) Boolean recursive,
      @JsonDeserialize(using = DurationText.class) Duration monitorInterval) {
    /** Validates and fills defaults. */
    public Directory {
      Check.required("path", path);
      recursive = recursive == null ? Boolean.TRUE : recursive;
      monitorInterval = monitorInterval == null ? Duration.ofSeconds(2) : monitorInterval;
      positive("monitorInterval", monitorInterval);
    }
  }

  /** Where a Kafka source starts when the group has no committed offset. */
  public enum StartingOffsets implements Check.Named {
    /** The group's committed offsets, else the earliest. */
    COMMITTED,
    /** The earliest offsets, ignoring committed ones. */
    EARLIEST,
    /** The latest offsets: only records produced after the start. */
    LATEST;

    /** Parses the file spelling. */
    @JsonCreator
    public static StartingOffsets parse(String text) {
      return Check.named("", StartingOffsets.class, text);
    }

    @JsonValue
    @Override
    public String spelling() {
      return Check.Named.super.spelling();
    }
  }

  /**
   * A Kafka topic of JSON feed records ({@code {"id", "source", "path" | "base64" | "tensor"}}).
   *
   * @param bootstrapServers host:port[,host:port...]
   * @param topic input topic (default diffad.inputs)
   * @param groupId consumer group (default diffad-stream)
   * @param startingOffsets committed (default), earliest or latest
   * @param maxInlineBytes cap on the decoded size of a base64 payload (default 32 MiB)
   * @param allowedPathRoot if set, records naming a file must name one under this folder (relative
   *     paths are taken from it); others are rejected. Unset: any path the job can read.
   * @param properties extra Kafka consumer properties (security settings, ...)
   */
  public record KafkaInput(
      String bootstrapServers,
      String topic,
      String groupId,
      StartingOffsets startingOffsets,
      Long maxInlineBytes,
      Path allowedPathRoot,
      Map<String, String> properties) {
    /** Default cap on base64 payloads: 32 MiB. */
    public static final long DEFAULT_MAX_INLINE_BYTES = 32L << 20;

    /** Validates and fills defaults. */
    public KafkaInput {
      requireText("bootstrapServers", bootstrapServers);
      topic = topic == null ? "diffad.inputs" : topic;
      requireText("topic", topic);
      groupId = groupId == null ? "diffad-stream" : groupId;
      requireText("groupId", groupId);
      startingOffsets = startingOffsets == null ? StartingOffsets.COMMITTED : startingOffsets;
      maxInlineBytes = maxInlineBytes == null ? DEFAULT_MAX_INLINE_BYTES : maxInlineBytes;
      Check.inRange("maxInlineBytes", maxInlineBytes, 1, 1L << 30);
      properties = properties == null ? Map.of() : Map.copyOf(properties);
    }
  }

  /**
   * Micro-batching between decode and score.
   *
   * @param maxSize inputs per batch (default: engine.batchSize)
   * @param maxWait longest an input waits for its batch to fill (default 500ms)
   */
  public record Batching(Integer maxSize, @JsonDeserialize(using = DurationText.class) Duration maxWait) {
    /** Validates and fills defaults. */
    public Batching {
      if (maxSize != null) {
        Check.inRange("maxSize", maxSize, 1, 4096);
      }
      maxWait = maxWait == null ? Duration.ofMillis(500) : maxWait;
      positive("maxWait", maxWait);
    }
  }

  /**
   * Where results go: files, Kafka topics, or both (at least one).
   *
   * @param dir folder for scores.jsonl, rejected.jsonl and alerts.jsonl (and maps/denoised images)
   * @param kafka result, rejection and alert topics
   * @param maps write each image's anomaly map (16-bit PNG) and overlay under dir (default off)
   * @param denoised write each image's reconstruction under dir (default off)
   */
  public record Outputs(
      Path dir,
      KafkaOutput kafka,
      @JsonDeserialize(using = OnOff.class) Boolean maps,
      @JsonDeserialize(using = OnOff.class) Boolean denoised) {
    /** Validates and fills defaults. */
    public Outputs {
      if (dir == null && kafka == null) {
        throw new ConfigException("", "needs dir, kafka or both");
      }
      maps = maps == null ? Boolean.FALSE : maps;
      denoised = denoised == null ? Boolean.FALSE : denoised;
    }
  }

  /**
   * The Kafka outputs: one JSON record per message, keyed by id (results, rejections) or source
   * (alerts). Exactly once with checkpointing.exactlyOnce (transactions committed on
   * checkpoints; read with isolation.level=read_committed), else at least once.
   *
   * @param bootstrapServers host:port list (default: source.kafka.bootstrapServers)
   * @param scores result topic (default diffad.scores)
   * @param alerts alert topic (default diffad.alerts)
   * @param rejected dead-letter topic for rejections (default diffad.rejected)
   * @param transactionalIdPrefix prefix of the sinks' transactional ids (default diffad-stream);
   *     unique per job writing to the same cluster
   * @param transactionTimeout producer transaction timeout (default 10m); must stay below the
   *     brokers' transaction.max.timeout.ms (15m by default) and well above the checkpoint interval
   * @param properties extra Kafka producer properties
   */
  public record KafkaOutput(
      String bootstrapServers,
      String scores,
      String alerts,
      String rejected,
      String transactionalIdPrefix,
      @JsonDeserialize(using = DurationText.class) Duration transactionTimeout,
      Map<String, String> properties) {
    /** Validates and fills defaults. */
    public KafkaOutput {
      if (bootstrapServers != null) {
        requireText("bootstrapServers", bootstrapServers);
      }
      scores = scores == null ? "diffad.scores" : scores;
      alerts = alerts == null ? "diffad.alerts" : alerts;
      rejected = rejected == null ? "diffad.rejected" : rejected;
      requireText("scores", scores);
      requireText("alerts", alerts);
      requireText("rejected", rejected);
      transactionalIdPrefix = transactionalIdPrefix == null ? "diffad-stream" : transactionalIdPrefix;
      requireText("transactionalIdPrefix", transactionalIdPrefix);
      transactionTimeout = transactionTimeout == null ? Duration.ofMinutes(10) : transactionTimeout;
      positive("transactionTimeout", transactionTimeout);
      properties = properties == null ? Map.of() : Map.copyOf(properties);
    }

    KafkaOutput withBootstrapServers(String servers) {
      return new KafkaOutput(servers, scores, alerts, rejected, transactionalIdPrefix,
          transactionTimeout, properties);
    }
  }

  /**
   * Alerts: anomalous results only, per source. An alert is raised when at least {@code count}
   * anomalous results of one source arrive within {@code window}; after it, that source raises
   * none for {@code cooldown}.
   *
   * @param enabled whether to raise alerts (default on)
   * @param count anomalous results needed within the window (default 3)
   * @param window the window (default 60s)
   * @param cooldown quiet time after an alert (default 5m)
   * @param threshold if set, a result is anomalous when its raw score exceeds this, overriding
   *     the model's calibration; unset: the record's {@code anomalous} flag (calibrated models only)
   */
  public record Alerts(
      @JsonDeserialize(using = OnOff.class) Boolean enabled,
      Integer count,
      @JsonDeserialize(using = DurationText.class) Duration window,
      @JsonDeserialize(using = DurationText.class) Duration cooldown,
      Double threshold) {
    /** Validates and fills defaults. */
    public Alerts {
      enabled = enabled == null ? Boolean.TRUE : enabled;
      count = count == null ? 3 : count;
      Check.inRange("count", count, 1, 100_000);
      window = window == null ? Duration.ofSeconds(60) : window;
      positive("window", window);
      cooldown = cooldown == null ? Duration.ofMinutes(5) : cooldown;
      if (cooldown.isNegative()) {
        throw new ConfigException("cooldown", "must be >= 0, got " + cooldown);
      }
      if (threshold != null && !Double.isFinite(threshold)) {
        throw new ConfigException("threshold", "must be a finite number, got " + threshold);
      }
    }
  }

  /**
   * Checkpointing.
   *
   * @param interval checkpoint interval (default 10s)
   * @param exactlyOnce exactly-once Kafka outputs (transactions) and aligned checkpoints (default
   *     on); off: at least once
   * @param dir checkpoint storage (a folder or URI such as file:///var/diffad/checkpoints); unset:
   *     the JobManager's memory (enough for restarts of a running job)
   */
  public record Checkpointing(
      @JsonDeserialize(using = DurationText.class) Duration interval,
      @JsonDeserialize(using = OnOff.class) Boolean exactlyOnce,
      String dir) {
    /** Validates and fills defaults. */
    public Checkpointing {
      interval = interval == null ? Duration.ofSeconds(10) : interval;
      if (interval.toMillis() < 10) {
        throw new ConfigException("interval", "must be at least 10ms, got " + DurationText.format(interval));
      }
      exactlyOnce = exactlyOnce == null ? Boolean.TRUE : exactlyOnce;
      if (dir != null) {
        requireText("dir", dir);
      }
    }
  }

  /**
   * Metric reporting of a local run ({@code diffad stream} without {@code --jobmanager}). Every
   * metric of the job (the counters and histograms of {@code ai.diffad.flink.operators.Metrics},
   * and Flink's own) is in the web UI and REST API anyway; {@code prometheus: on} also serves them
   * at {@code http://localhost:PORT/metrics} for Prometheus to scrape. On a cluster the cluster's
   * configuration decides (config/flink/prometheus.yaml).
   *
   * @param prometheus expose the metrics for Prometheus (default off)
   * @param port the port, or a range such as {@code 9249-9259} (default 9249)
   */
  public record Metrics(@JsonDeserialize(using = OnOff.class) Boolean prometheus, String port) {
    /** Validates and fills defaults. */
    public Metrics {
      prometheus = prometheus == null ? Boolean.FALSE : prometheus;
      port = port == null ? "9249" : port.trim();
      if (!port.matches("\\d{1,5}(-\\d{1,5})?")) {
        throw new ConfigException("port", "must be a port or a range such as 9249-9259, got '" + port + "'");
      }
      for (String p : port.split("-")) {
        Check.inRange("port", Integer.parseInt(p), 1, 65535);
      }
    }
  }

  /**
   * The live dashboard ({@code diffad dashboard}) that {@code diffad stream} starts beside the
   * job and stops with it: it follows {@code outputs.dir} when the job writes files, else the
   * job's result topics (read_committed, from the offsets at the start).
   *
   * @param on start it (default off)
   * @param port its port (default: the first free one from 8090)
   * @param bind the address it listens on (default 127.0.0.1: this machine only)
   * @param token if set, every request must carry it (the printed address does)
   * @param window recent scores kept per source (default 1000)
   */
  public record Dashboard(
      @JsonDeserialize(using = OnOff.class) Boolean on,
      Integer port,
      String bind,
      String token,
      Integer window) {
    /** Validates and fills defaults. */
    public Dashboard {
      on = on == null ? Boolean.FALSE : on;
      if (port != null) {
        Check.inRange("port", port, 1, 65535);
      }
      bind = bind == null ? "127.0.0.1" : bind.trim();
      requireText("bind", bind);
      if (token != null) {
        requireText("token", token);
      }
      window = window == null ? 1000 : window;
      Check.inRange("window", window, 10, 1_000_000);
    }
  }

  private static void positive(String field, Duration d) {
    if (d.isNegative() || d.isZero()) {
      throw new ConfigException(field, "must be > 0, got " + DurationText.format(d));
    }
  }

  private static void requireText(String field, String value) {
    if (value == null || value.isBlank()) {
      throw new ConfigException(field, "is required (a non-empty string)");
    }
  }
}
