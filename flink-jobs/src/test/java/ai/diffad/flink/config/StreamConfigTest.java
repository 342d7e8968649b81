package ai.diffad.flink.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.diffad.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class StreamConfigTest {
  private static final Path PROFILES = Path.of("..", "config", "profiles");

  @Test
  void theLocalProfileWatchesAFolderAndWritesFiles() {
    StreamConfig c = StreamConfig.load(PROFILES.resolve("stream-local.yaml"));
    assertThat(c.source().kind()).isEqualTo(StreamConfig.SourceKind.DIRECTORY);
    assertThat(c.source().directory().path()).isEqualTo(Path.of("in/stream"));
    assertThat(c.source().directory().recursive()).isTrue();
    assertThat(c.source().directory().monitorInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.outputs().dir()).isEqualTo(Path.of("out/stream"));
    assertThat(c.outputs().kafka()).isNull();
    assertThat(c.outputs().maps()).isFalse();
    assertThat(c.batching().maxWait()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.maxBatchFor(ai.diffad.config.EngineConfig.defaults())).isEqualTo(8);
    assertThat(c.engine()).as("not given: the model's own settings").isNull();
    assertThat(c.alerts().cooldown()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.checkpointing().exactlyOnce()).isTrue();
  }

  @Test
  void theKafkaProfileReadsAndWritesTopicsOnLocalhost() {
    StreamConfig c = StreamConfig.load(PROFILES.resolve("stream-kafka.yaml"));
    assertThat(c.source().kind()).isEqualTo(StreamConfig.SourceKind.KAFKA);
    StreamConfig.KafkaInput in = c.source().kafka();
    assertThat(in.bootstrapServers()).isEqualTo("localhost:9092");
    assertThat(in.topic()).isEqualTo("diffad.inputs");
    assertThat(in.startingOffsets()).isEqualTo(StreamConfig.StartingOffsets.COMMITTED);
    assertThat(in.allowedPathRoot()).isEqualTo(Path.of("/data"));
    StreamConfig.KafkaOutput out = c.outputs().kafka();
    assertThat(out.scores()).isEqualTo("diffad.scores");
    assertThat(out.alerts()).isEqualTo("diffad.alerts");
    assertThat(out.rejected()).isEqualTo("diffad.rejected");
    assertThat(out.transactionTimeout()).isEqualTo(Duration.ofMinutes(10));
    assertThat(c.outputs().dir()).isNull();
  }

  @Test
  void defaultsFillEverythingButModelSourceAndOutputs() {
    StreamConfig c = StreamConfig.parse(String.join("\n",
        "model: m",
        "source: {kafka: {bootstrapServers: 'k:9092'}}",
        "outputs: {kafka: {}}"), false);
    assertThat(c.source().kind()).isEqualTo(StreamConfig.SourceKind.KAFKA);
    assertThat(c.source().kafka().groupId()).isEqualTo("diffad-stream");
    assertThat(c.source().kafka().maxInlineBytes()).isEqualTo(32L << 20);
    assertThat(c.outputs().kafka().bootstrapServers()).as("taken from the source").isEqualTo("k:9092");
    assertThat(c.outputs().kafka().transactionalIdPrefix()).isEqualTo("diffad-stream");
    assertThat(c.checkpointing().interval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.alerts().count()).isEqualTo(3);
    assertThat(c.parallelism()).isEqualTo(1);
    assertThat(c.engine()).as("none given: the model's own").isNull();
    assertThat(c.maxBatchFor(ai.diffad.config.EngineConfig.defaults()))
        .isEqualTo(ai.diffad.config.EngineConfig.Reconstruction.DEFAULT_BATCH);
  }

  @Test
  void durationsAndSwitchesHaveFriendlySpellings() {
    StreamConfig c = StreamConfig.parse(String.join("\n",
        "model: m",
        "source: {directory: {path: in, recursive: off, monitorInterval: 0.5}}",
        "batching: {maxWait: 250ms}",
        "outputs: {dir: out, maps: 'on', denoised: yes}",
        "alerts: {window: 2m, cooldown: PT90S, enabled: false}",
        "checkpointing: {interval: 1h}"), false);
    assertThat(c.source().directory().recursive()).isFalse();
    assertThat(c.source().directory().monitorInterval()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.batching().maxWait()).isEqualTo(Duration.ofMillis(250));
    assertThat(c.outputs().maps()).isTrue();
    assertThat(c.outputs().denoised()).isTrue();
    assertThat(c.alerts().window()).isEqualTo(Duration.ofMinutes(2));
    assertThat(c.alerts().cooldown()).isEqualTo(Duration.ofSeconds(90));
    assertThat(c.alerts().enabled()).isFalse();
    assertThat(c.checkpointing().interval()).isEqualTo(Duration.ofHours(1));
  }

  private static void refused(String yaml, String message) {
    assertThatThrownBy(() -> StreamConfig.parse(yaml, false))
        .isInstanceOf(ConfigException.class)
        .hasMessage(message);
  }

  private static final String BASE = "model: m\nsource: {directory: {path: in}}\noutputs: {dir: out}\n";

  @Test
  void errorsNameTheFieldPathAndTheAllowedValues() {
    refused("model: m\nsource: {kind: ftp, directory: {path: in}}\noutputs: {dir: out}",
        "source.kind: must be one of [directory, kafka], got 'ftp'");
    refused("model: m\nsource: {kind: kafka, directory: {path: in}}\noutputs: {dir: out}",
        "source.kafka: is required when source.kind is kafka");
    refused(BASE + "batching: {maxWait: soon}",
        "batching.maxWait: must be a duration such as 500ms, 10s, 2m or 1h, got 'soon'");
    refused(BASE + "alerts: {count: 0}", "alerts.count: must be in [1, 100000], got 0");
    refused(BASE + "parallelism: 0", "parallelism: must be in [1, 128], got 0");
    refused("model: m\nsource: {directory: {path: in}}\noutputs: {}", "outputs: needs dir, kafka or both");
    refused("model: m\nsource: {directory: {path: in}}\noutputs: {kafka: {}}",
        "outputs.kafka.bootstrapServers: is required (there is no source.kafka.bootstrapServers to take it from)");
    refused("model: m\nsource: {directory: {path: in}}\noutputs: {kafka: {bootstrapServers: k}, maps: on}",
        "outputs.maps: needs outputs.dir: images are written under it");
    refused(BASE + "engine: {reconstruction: {tStar: 0}}",
        "engine.reconstruction.tStar: must be > 0, got 0");
    refused(BASE + "alerts: {enabled: maybe}", "alerts.enabled: must be one of [on, off], got 'maybe'");
    refused("model: m\nsource: {kafka: {bootstrapServers: k}}\noutputs: {kafka: {transactionTimeout: 15s}}",
        "outputs.kafka.transactionTimeout: must be at least twice checkpointing.interval (10s), got 15s");
    assertThatThrownBy(() -> StreamConfig.parse(BASE + "source2: x", false))
        .hasMessageStartingWith("source2: unknown key (allowed: alerts, batching, checkpointing, dashboard, engine,");
    assertThatThrownBy(() -> StreamConfig.parse("model: m\nsource: {directory: {path: in, recurse: on}}\noutputs: {dir: o}", false))
        .hasMessageStartingWith("source.directory.recurse: unknown key (allowed: monitorInterval, path, recursive)");
    refused("source: {directory: {path: in}}\noutputs: {dir: out}", "model: is required");
  }

  @Test
  void theMetricsSectionSwitchesThePrometheusReporterOnWithAPortOrRange() {
    assertThat(StreamConfig.parse(BASE, false).metrics()).isEqualTo(new StreamConfig.Metrics(false, "9249"));
    assertThat(StreamConfig.parse(BASE + "metrics: {prometheus: on, port: 9300}", false).metrics())
        .isEqualTo(new StreamConfig.Metrics(true, "9300"));
    assertThat(StreamConfig.parse(BASE + "metrics: {prometheus: on, port: 9249-9259}", false).metrics().port())
        .isEqualTo("9249-9259");
    refused(BASE + "metrics: {prometheus: on, port: http}",
        "metrics.port: must be a port or a range such as 9249-9259, got 'http'");
    refused(BASE + "metrics: {prometheus: on, port: 70000}", "metrics.port: must be in [1, 65535], got 70000");
  }

  @Test
  void theDashboardSectionIsOffByDefaultAndItsErrorsNameTheField() {
    assertThat(StreamConfig.parse(BASE, false).dashboard())
        .isEqualTo(new StreamConfig.Dashboard(false, null, "127.0.0.1", null, 1000));
    assertThat(StreamConfig.parse(BASE + "dashboard: {on: true, port: 8095}", false).dashboard())
        .isEqualTo(new StreamConfig.Dashboard(true, 8095, "127.0.0.1", null, 1000));
    assertThat(StreamConfig.parse(BASE + "dashboard: {on: on, bind: 0.0.0.0, token: s3cret, window: 50}", false)
        .dashboard()).isEqualTo(new StreamConfig.Dashboard(true, null, "0.0.0.0", "s3cret", 50));
    refused(BASE + "dashboard: {on: true, port: 0}", "dashboard.port: must be in [1, 65535], got 0");
    refused(BASE + "dashboard: {on: maybe}", "dashboard.on: must be one of [on, off], got 'maybe'");
    refused(BASE + "dashboard: {on: true, window: 5}", "dashboard.window: must be in [10, 1000000], got 5");
    refused(BASE + "dashboard: {on: true, token: ' '}", "dashboard.token: is required (a non-empty string)");
    assertThatThrownBy(() -> StreamConfig.parse(BASE + "dashboard: {on: true, prot: 1}", false))
        .hasMessageStartingWith("dashboard.prot: unknown key (allowed: bind, on, port, token, window)");
  }

  @Test
  void theOnlineSectionIsOffByDefaultFillsItsDefaultsAndItsErrorsNameTheField() {
    assertThat(StreamConfig.parse(BASE, false).online()).isNull();
    assertThat(StreamConfig.parse(BASE + "online: {every: 250}", false).online())
        .isEqualTo(new ai.diffad.config.OnlineConfig(250, 5, 16, 2e-4, 2000, 0.0));
    refused(BASE + "online: {ema: 1}", "online.ema: must be in [0, 1), got 1.0");
    assertThat(StreamConfig.parse(BASE + "online: {every: 100, steps: 2, batchSize: 8,"
        + " learningRate: 0.001, history: 500}", false).online())
        .isEqualTo(new ai.diffad.config.OnlineConfig(100, 2, 8, 1e-3, 500));
    // each source's weights are state: more than the JobManager's memory storage holds
    assertThatThrownBy(() -> ai.diffad.flink.StreamJob.builder(StreamConfig.parse(BASE
        + "online: {every: 250}", false)))
        .isInstanceOf(ai.diffad.config.ConfigException.class)
        .hasMessageStartingWith("checkpointing.dir: online learning keeps each source's model");
    refused(BASE + "online: {every: 0}", "online.every: must be in [1, 2147483647], got 0");
    refused(BASE + "online: {learningRate: 2}", "online.learningRate: must be in (0, 1), got 2.0");
    assertThatThrownBy(() -> StreamConfig.parse(BASE + "online: {evry: 1}", false))
        .hasMessageStartingWith("online.evry: unknown key");
  }
}
