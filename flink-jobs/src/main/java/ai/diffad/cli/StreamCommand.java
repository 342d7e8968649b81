package ai.diffad.cli;

import ai.diffad.config.ConfigException;
import ai.diffad.dashboard.Dashboard;
import ai.diffad.dashboard.DashboardSettings;
import ai.diffad.dashboard.Feed;
import ai.diffad.dashboard.FolderFeed;
import ai.diffad.dashboard.TopicsFeed;
import ai.diffad.flink.FlinkEnvironments;
import ai.diffad.flink.StreamJob;
import ai.diffad.flink.config.StreamConfig;
import ai.diffad.flink.operators.Progress;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.artifact.ModelManifest;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.HeartbeatManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Runs the streaming job from a stream configuration: on a local MiniCluster with Flink's web UI
 * on localhost, or on a running cluster ({@code --jobmanager}, which ships the shaded jar).
 */
@Command(name = "stream", mixinStandardHelpOptions = true,
    description = {"Run the streaming job (Flink): a watched folder or a Kafka topic in; results,",
        "rejections and alerts out to JSON-lines files and/or Kafka topics, exactly once.",
        "See config/profiles/stream-local.yaml and stream-kafka.yaml."})
final class StreamCommand implements Callable<Integer> {
  /** How long beyond --until-idle a job with inputs still in flight and no progress is waited for. */
  static final Duration STUCK = Duration.ofMinutes(5);

  @Spec CommandSpec spec;

  @Option(names = "--config", required = true, description = "Stream configuration (YAML or JSON).")
  Path config;

  @Option(names = "--until-idle", paramLabel = "SECONDS",
      description = "Stop the job (draining it, so every result is written and committed) once no"
          + " input arrived for this long and every input taken in has its record out.")
  Double untilIdle;

  @Option(names = "--jobmanager", paramLabel = "HOST:PORT",
      description = "Submit to this Flink cluster (its REST address) instead of running locally.")
  String jobmanager;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (untilIdle != null && !(untilIdle > 0 && untilIdle < 1e6)) {
      throw new ParameterException(spec.commandLine(), "--until-idle: must be > 0 seconds, got " + untilIdle);
    }
    StreamConfig cfg = StreamConfig.load(config);
    check(cfg);
    StreamJob job = StreamJob.builder(cfg).build();

    // Accumulators (the progress --until-idle watches) travel with heartbeats.
    Configuration extra = new Configuration();
    extra.set(HeartbeatManagerOptions.HEARTBEAT_INTERVAL, Duration.ofSeconds(1));
    FlinkEnvironments.Placement at;
    try {
      at = FlinkEnvironments.place(jobmanager, StreamCommand.class, cfg.parallelism(), extra,
          cfg.metrics().prometheus() ? cfg.metrics().port() : null);
    } catch (FlinkEnvironments.JobManagerException e) {
      throw new ParameterException(spec.commandLine(), "--jobmanager: " + e.getMessage());
    }
    StreamExecutionEnvironment env = at.env();
    job.wire(env);
    // Started before the job, so that it reads the topics from the offsets before its first record.
    Dashboard dashboard = cfg.dashboard().on() ? startDashboard(cfg) : null;
    try {
      JobClient client = env.executeAsync(job.jobName());
      out.println("diffad stream: job " + client.getJobID() + " running " + at.where()
          + (dashboard == null ? "" : "; dashboard: " + dashboard.url()));
      out.println("diffad stream: " + job.sourceName() + " -> " + describeOutputs(cfg));
      out.flush();

      if (untilIdle == null) {
        if (!at.local()) {
          out.println("diffad stream: stop it from the web UI or with: flink cancel " + client.getJobID());
          out.flush();
        }
        client.getJobExecutionResult().get();
        return DiffadCli.EXIT_OK;
      }
      long[] counts = waitUntilIdle(client, Duration.ofMillis(Math.round(untilIdle * 1000)));
      out.printf(Locale.ROOT, "diffad stream: idle for %.1f s; stopping (%d inputs, %d records out so far)%n",
          untilIdle, counts[0], counts[1]);
      out.flush();
      stop(client, err);
      return DiffadCli.EXIT_OK;
    } finally {
      if (dashboard != null) {
        dashboard.close();
      }
    }
  }

  /**
   * The dashboard of the job's results: its output folder when it writes one, else its result
   * topics.
   */
  private static Dashboard startDashboard(StreamConfig cfg) throws IOException {
    StreamConfig.Dashboard d = cfg.dashboard();
    DashboardSettings s = DashboardSettings.defaults().withBind(d.bind())
        .withPort(d.port() == null ? 0 : d.port()).withToken(d.token()).withWindow(d.window());
    Path dir = cfg.outputs().dir();
    StreamConfig.KafkaOutput k = cfg.outputs().kafka();
    Feed feed = dir != null ? new FolderFeed(dir, Dashboard.FOLDER_INTERVAL)
        : new TopicsFeed(k.bootstrapServers(), k.scores(), k.rejected(), k.alerts(), false, Map.of());
    try {
      return Dashboard.start(s, feed, dir);
    } catch (java.net.BindException e) {
      throw new ConfigException("dashboard.port", e.getMessage());
    } catch (java.net.UnknownHostException e) {
      throw new ConfigException("dashboard.bind", "unknown address '" + d.bind() + "'");
    }
  }

  /** Checks what the configuration names on disk; errors name the field. */
  private static void check(StreamConfig cfg) throws IOException {
    Path model = cfg.model();
    if (!Files.isRegularFile(model.resolve(ModelArtifact.MANIFEST))) {
      throw new ConfigException("model", "no model at " + model + " (" + ModelArtifact.MANIFEST
          + " missing); train one with diffad train");
    }
    ModelManifest m = ModelArtifact.readManifest(model);
    int t = m.config().schedule().timesteps();
    cfg.engineFor(m.config()).checkFor(t, "engine.reconstruction.tStar");
    if (cfg.source().kind() == StreamConfig.SourceKind.DIRECTORY) {
      Path dir = cfg.source().directory().path();
      if (Files.exists(dir) && !Files.isDirectory(dir)) {
        throw new ConfigException("source.directory.path", "is not a folder: " + dir);
      }
      Files.createDirectories(dir);
    }
    if (cfg.outputs().dir() != null) {
      Files.createDirectories(cfg.outputs().dir());
    }
  }

  private static String describeOutputs(StreamConfig cfg) {
    StringBuilder sb = new StringBuilder();
    if (cfg.outputs().dir() != null) {
      sb.append(cfg.outputs().dir()).append("/{scores,rejected,alerts}.jsonl");
    }
    if (cfg.outputs().kafka() != null) {
      StreamConfig.KafkaOutput k = cfg.outputs().kafka();
      sb.append(sb.length() > 0 ? " and " : "").append("kafka ").append(k.scores()).append(", ")
          .append(k.rejected()).append(", ").append(k.alerts()).append(" at ").append(k.bootstrapServers())
          .append(cfg.checkpointing().exactlyOnce() ? " (exactly once)" : " (at least once)");
    }
    return sb.toString();
  }

  /**
   * Polls the job's progress accumulators until neither moved for {@code idle}; returns the
   * last counts (inputs, outputs).
   */
  private static long[] waitUntilIdle(JobClient client, Duration idle) throws Exception {
    long last = -1;
    long since = System.nanoTime();
    Map<String, Object> acc = Map.of();
    while (true) {
      JobStatus status = client.getJobStatus().get(30, TimeUnit.SECONDS);
      if (status.isGloballyTerminalState()) {
        client.getJobExecutionResult().get(); // throws the job's failure, if any
        break;
      }
      try {
        acc = client.getAccumulators().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        // not yet available (job starting): counts as no progress
      }
      long total = Progress.total(acc);
      boolean drained = Progress.value(acc.get(Progress.INPUTS)) == Progress.value(acc.get(Progress.OUTPUTS));
      long quiet = System.nanoTime() - since;
      if (total != last || status != JobStatus.RUNNING) {
        last = total;
        since = System.nanoTime();
      } else if (quiet >= idle.toNanos() && (drained || quiet >= idle.plus(STUCK).toNanos())) {
        // Idle: nothing moved, and every input taken in has its record out (a batch still being
        // scored keeps the job busy however long it takes, up to STUCK beyond the idle time).
        break;
      }
      Thread.sleep(Math.min(500, Math.max(50, idle.toMillis() / 4)));
    }
    return new long[] {Progress.value(acc.get(Progress.INPUTS)), Progress.value(acc.get(Progress.OUTPUTS))};
  }

  /**
   * Stops the job with a drained savepoint: sources end, buffered batches are scored, and the
   * final checkpoint commits the last Kafka transactions; if that fails, cancels it.
   */
  private static void stop(JobClient client, PrintWriter err) throws Exception {
    JobStatus status = client.getJobStatus().get(30, TimeUnit.SECONDS);
    if (status.isGloballyTerminalState()) {
      return;
    }
    Path savepoints = Files.createTempDirectory("diffad-stream-savepoint");
    try {
      client.stopWithSavepoint(true, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
          .get(5, TimeUnit.MINUTES);
      client.getJobExecutionResult().get(5, TimeUnit.MINUTES);
    } catch (Exception e) {
      err.println("diffad stream: warning: could not stop with a savepoint (" + e.getMessage()
          + "); cancelling: results since the last checkpoint may be uncommitted in Kafka");
      err.flush();
      client.cancel().get(1, TimeUnit.MINUTES);
    } finally {
      try (var s = Files.walk(savepoints)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
