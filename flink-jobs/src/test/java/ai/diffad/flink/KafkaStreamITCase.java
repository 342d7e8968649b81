package ai.diffad.flink;

import static org.assertj.core.api.Assertions.assertThat;

import ai.diffad.denoise.record.JsonLines;
import ai.diffad.denoise.record.ScoreRecord;
import ai.diffad.flink.config.StreamConfig;
import ai.diffad.flink.kafka.KafkaBroker;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streaming job between Kafka topics of a real broker in this JVM (KRaft, see
 * {@link KafkaBroker}), on a MiniCluster of 1 TaskManager with 2 slots, parallelism 2, with a tiny
 * real model: exactly once across an injected failure, and bad records dead-lettered with their
 * reason while the job keeps running.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class KafkaStreamITCase {
  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder()
          .setNumberTaskManagers(1)
          .setNumberSlotsPerTaskManager(2)
          .build());

  @TempDir static Path shared;
  static Path model;
  static KafkaBroker kafka;

  @BeforeAll
  static void start() throws Exception {
    kafka = KafkaBroker.start();
    model = TinyModel.train(shared.resolve("model"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (kafka != null) {
      kafka.close();
    }
  }

  private static StreamJob.Builder job(String in, String prefix, int maxInline, Path root) {
    return StreamJob.builder()
        .model(model)
        .kafkaInput(new StreamConfig.KafkaInput(kafka.bootstrapServers(), in, prefix + "-group",
            StreamConfig.StartingOffsets.EARLIEST, (long) maxInline, root, null))
        .kafkaOutput(new StreamConfig.KafkaOutput(kafka.bootstrapServers(), prefix + ".scores",
            prefix + ".alerts", prefix + ".rejected", prefix, Duration.ofMinutes(1), null))
        .engine(TinyModel.engine())
        .maxBatch(8)
        .maxWait(Duration.ofMillis(100))
        .checkpointInterval(Duration.ofMillis(500))
        .parallelism(2);
  }

  private static StreamExecutionEnvironment env() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    Configuration conf = new Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
    env.configure(conf);
    return env;
  }

  /** A random 16x16 gray PNG. */
  static byte[] png(long seed) {
    return TinyModel.png(16, 16, 1, seed);
  }

  static String base64Record(String id, String source, byte[] bytes) {
    return "{\"id\":\"" + id + "\",\"source\":\"" + source + "\",\"base64\":\""
        + Base64.getEncoder().encodeToString(bytes) + "\"}";
  }

  static JsonNode json(String s) {
    try {
      return JsonLines.mapper().readTree(s);
    } catch (java.io.IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<String> ids(List<String> records) {
    return records.stream().map(r -> json(r).get("id").asText()).toList();
  }

  /**
   * Throws once, on the {@code after}-th result it sees once armed; the test arms it only after
   * results were committed to Kafka, i.e. after a completed checkpoint.
   */
  static final class FailOnce implements MapFunction<ScoreRecord, ScoreRecord>, CheckpointListener {
    private static final long serialVersionUID = 1L;
    static final AtomicBoolean ARMED = new AtomicBoolean();
    static final AtomicInteger SEEN_ARMED = new AtomicInteger();
    static final AtomicInteger FAILURES = new AtomicInteger();
    static final AtomicInteger CHECKPOINTS = new AtomicInteger();
    private final int after;

    FailOnce(int after) {
      this.after = after;
    }

    @Override
    public ScoreRecord map(ScoreRecord r) {
      if (ARMED.get() && SEEN_ARMED.incrementAndGet() >= after && ARMED.compareAndSet(true, false)) {
        FAILURES.incrementAndGet();
        throw new IllegalStateException("injected failure at " + r.id());
      }
      return r;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
      CHECKPOINTS.incrementAndGet();
    }
  }

  @Test
  void everyInputIdAppearsExactlyOnceInTheScoresTopicAcrossAFailure() throws Exception {
    String in = "a.inputs";
    kafka.createTopics(2, in, "a.scores", "a.rejected", "a.alerts");
    List<String> first = new ArrayList<>();
    List<String> second = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      (i < 100 ? first : second).add(base64Record(String.format("cam%d/%03d.png", i % 4, i), "cam" + (i % 4), png(i)));
    }
    StreamJob job = job(in, "a", 1 << 20, null).alerts(null).scoreTap(new FailOnce(40)).build();
    StreamExecutionEnvironment env = env();
    job.wire(env);
    JobClient client = env.executeAsync("exactly once across a failure");
    try {
      kafka.produce(in, first);
      // Some results committed: a checkpoint completed. Then fail while the rest is in flight.
      kafka.readCommitted("a.scores", r -> r.size() >= 20, Duration.ZERO, Duration.ofSeconds(60));
      FailOnce.ARMED.set(true);
      kafka.produce(in, second);

      List<String> scores = kafka.readCommitted("a.scores", r -> r.size() >= 200, Duration.ofSeconds(3),
          Duration.ofSeconds(60));
      assertThat(FailOnce.FAILURES.get()).as("the injected failure happened").isEqualTo(1);
      assertThat(FailOnce.ARMED.get()).isFalse();
      Map<String, Long> counts = ids(scores).stream()
          .collect(Collectors.groupingBy(s -> s, Collectors.counting()));
      List<String> expected = IntStream.range(0, 200)
          .mapToObj(i -> String.format("cam%d/%03d.png", i % 4, i)).toList();
      assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(expected);
      assertThat(counts.values()).as("no id twice").allMatch(c -> c == 1L);
      assertThat(scores).hasSize(200);
      assertThat(kafka.readCommitted("a.rejected", r -> true, Duration.ofSeconds(1), Duration.ofSeconds(10)))
          .isEmpty();
      assertThat(client.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
    } finally {
      if (client.getJobStatus().get() == JobStatus.FAILED) {
        // Say why, rather than that the job could not be cancelled.
        client.getJobExecutionResult().get(30, TimeUnit.SECONDS);
      }
      client.cancel().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void badRecordsAreDeadLetteredWithTheirReasonWhileGoodOnesAreScored(@TempDir Path root) throws Exception {
    String in = "b.inputs";
    kafka.createTopics(2, in, "b.scores", "b.rejected", "b.alerts");
    TinyModel.writePng(root.resolve("cam2/on-disk.png"), 16, 16, 1, 99);
    Files.writeString(root.getParent().resolve("outside.png"), "x");

    List<String> records = new ArrayList<>();
    Map<String, String> goodSources = new HashMap<>();
    for (int i = 0; i < 6; i++) {
      records.add(base64Record("cam1/" + i + ".png", "cam1", png(100 + i)));
      goodSources.put("cam1/" + i + ".png", "cam1");
    }
    String tensor = IntStream.range(0, 256).mapToObj(i -> Float.toString((i % 7) / 7f - 0.5f))
        .collect(Collectors.joining(","));
    records.add("{\"id\":\"cam2/t1\",\"source\":\"cam2\",\"tensor\":{\"shape\":[16,16],\"data\":[" + tensor + "]}}");
    records.add("{\"id\":\"cam2/t2\",\"source\":\"cam2\",\"tensor\":{\"shape\":[1,16,16],\"data\":[" + tensor + "]}}");
    records.add("{\"id\":\"cam2/p1\",\"source\":\"cam2\",\"path\":\"cam2/on-disk.png\"}");
    goodSources.put("cam2/t1", "cam2");
    goodSources.put("cam2/t2", "cam2");
    goodSources.put("cam2/p1", "cam2");
    records.add(base64Record("cam3/x.png", "cam3", png(7)));
    goodSources.put("cam3/x.png", "cam3");

    // The bad ones, interleaved with more good ones.
    records.add(3, "{\"id\": \"broken\", \"source\": \"cam9\", \"base64\": ");
    records.add(5, base64Record("big", "cam9", new byte[48 << 10]));
    records.add(7, base64Record("text", "cam9", "hello, this is a text file\n".getBytes(StandardCharsets.UTF_8)));
    String nan = tensor.replaceFirst("^[^,]*", "\"NaN\"");
    records.add("{\"id\":\"nan\",\"source\":\"cam9\",\"tensor\":{\"shape\":[16,16],\"data\":[" + nan + "]}}");
    records.add("{\"id\":\"shape\",\"source\":\"cam9\",\"tensor\":{\"shape\":[2,2,2,2],\"data\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]}}");
    records.add("{\"id\":\"escape\",\"source\":\"cam9\",\"path\":\"../outside.png\"}");
    records.add("{\"id\":\"gone\",\"source\":\"cam9\",\"path\":\"cam2/missing.png\"}");

    StreamJob job = job(in, "b", 32 << 10, root)
        .alerts(new StreamConfig.Alerts(true, 3, Duration.ofSeconds(60), Duration.ofMinutes(5), 0.0))
        .build();
    StreamExecutionEnvironment env = env();
    job.wire(env);
    JobClient client = env.executeAsync("bad records dead-lettered");
    try {
      kafka.produce(in, records);
      List<String> scores = kafka.readCommitted("b.scores", r -> r.size() >= goodSources.size(),
          Duration.ofSeconds(1), Duration.ofSeconds(60));
      List<String> rejected = kafka.readCommitted("b.rejected", r -> r.size() >= 7,
          Duration.ofSeconds(1), Duration.ofSeconds(30));

      assertThat(ids(scores)).containsExactlyInAnyOrderElementsOf(goodSources.keySet());
      for (String s : scores) {
        JsonNode n = json(s);
        assertThat(n.get("source").asText()).isEqualTo(goodSources.get(n.get("id").asText()));
        assertThat(n.get("score").asDouble()).isFinite();
      }
      Map<String, String> reasons = new HashMap<>();
      for (String s : rejected) {
        JsonNode n = json(s);
        assertThat(n.get("rejected").asBoolean()).isTrue();
        assertThat(n.get("detail").asText()).isNotBlank();
        reasons.put(n.get("id").asText(), n.get("reason").asText());
      }
      String brokenId = reasons.keySet().stream().filter(k -> k.startsWith(in + "/")).findFirst().orElseThrow();
      assertThat(brokenId).matches(in + "/[01]/\\d+");
      assertThat(reasons).containsExactlyInAnyOrderEntriesOf(Map.of(
          brokenId, "MALFORMED",
          "big", "TOO_LARGE",
          "text", "DECODE_FAILED",
          "nan", "NON_FINITE_VALUES",
          "shape", "UNSUPPORTED_SHAPE",
          "escape", "UNREADABLE",
          "gone", "UNREADABLE"));

      // Every result is over the alert threshold 0: cam1 (6) and cam2 (3) raise one alert each in
      // their cool-down, cam3 (1) none.
      List<String> alerts = kafka.readCommitted("b.alerts", r -> r.size() >= 2, Duration.ofSeconds(1),
          Duration.ofSeconds(30));
      assertThat(alerts).extracting(a -> json(a).get("source").asText()).containsExactlyInAnyOrder("cam1", "cam2");
      assertThat(alerts).allMatch(a -> json(a).get("count").asInt() >= 3);

      assertThat(client.getJobStatus().get()).as("the job keeps running").isEqualTo(JobStatus.RUNNING);
    } finally {
      client.cancel().get(30, TimeUnit.SECONDS);
    }
  }

  /**
   * Series through the Kafka path with an imputer, learning online per source: a tiny 2-channel
   * imputer trained here (its profile's engine: map imputation, the last 4 rows hidden), tensor
   * records (C, L) from two sources, every record scored exactly once (read_committed) with the
   * profile's imputation settings and a finite per-row score; a record too short for one window
   * and one with the wrong channel count are rejected with their reasons, and the job goes on.
   */
  @Test
  void seriesTensorRecordsAreScoredByImputationWhileEachSourceLearnsOnline(@TempDir Path root)
      throws Exception {
    java.util.List<ai.diffad.denoise.data.InMemoryTrainingSet.Item> items = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      items.add(new ai.diffad.denoise.data.InMemoryTrainingSet.Item(sines(64, i), 1, 64, -1));
    }
    ai.diffad.config.DiffadConfig profile = ai.diffad.config.ConfigLoader.parse("""
        name: kafka-imputer
        network: {kind: unet1d, baseChannels: 8, channelMultipliers: [1, 2], groups: 4}
        data: {format: sensor, channels: 2, size: 16, stride: 4, flips: false, rotations: false}
        imputation: {masks: [last], lastRows: 4}
        training: {steps: 6, batchSize: 4, warmupSteps: 1, checkpointEvery: 0, logEvery: 2,
          seed: 2, tMax: 1000}
        engine:
          reconstruction: {tStar: 600, steps: 2, batchSize: 16}
          map: {kind: imputation, mask: last, lastRows: 4}
          score: {smoothSigma: 0.0}
        """, false, ai.diffad.config.DiffadConfig.class);
    Path imputer = ai.diffad.model.train.Trainer.builder().setConfig(profile)
        .setData(new ai.diffad.denoise.data.InMemoryTrainingSet(items, 2, "sines"))
        .setOutputDir(shared.resolve("imputer")).optProgressBar(false).build().run().artifact();

    String in = "s.inputs";
    kafka.createTopics(2, in, "s.scores", "s.rejected", "s.alerts");
    List<String> records = new ArrayList<>();
    Map<String, String> goodSources = new HashMap<>();
    for (int i = 0; i < 8; i++) {
      String source = i % 2 == 0 ? "pump1" : "pump2";
      float[] v = sines(24, i);
      StringBuilder data = new StringBuilder();
      for (int k = 0; k < v.length; k++) {
        data.append(k == 0 ? "" : ",").append(v[k]);
      }
      records.add("{\"id\":\"" + source + "/" + i + "\",\"source\":\"" + source
          + "\",\"tensor\":{\"shape\":[2,24],\"data\":[" + data + "]}}");
      goodSources.put(source + "/" + i, source);
    }
    records.add("{\"id\":\"short\",\"source\":\"pump1\",\"tensor\":{\"shape\":[2,3],"
        + "\"data\":[1,2,3,4,5,6]}}");
    records.add("{\"id\":\"three\",\"source\":\"pump2\",\"tensor\":{\"shape\":[3,16],"
        + "\"data\":[" + String.join(",", java.util.Collections.nCopies(48, "0.5")) + "]}}");

    StreamJob job = StreamJob.builder()
        .model(imputer)
        .kafkaInput(new StreamConfig.KafkaInput(kafka.bootstrapServers(), in, "s-group",
            StreamConfig.StartingOffsets.EARLIEST, 1L << 20, root, null))
        .kafkaOutput(new StreamConfig.KafkaOutput(kafka.bootstrapServers(), "s.scores",
            "s.alerts", "s.rejected", "s", Duration.ofMinutes(1), null))
        .engine(profile.engine())
        .online(new ai.diffad.config.OnlineConfig(40, 2, 4, 1e-3, 200))
        .checkpointInterval(Duration.ofMillis(500))
        .checkpointDir(shared.resolve("online-checkpoints").toString())
        .parallelism(2)
        .build();
    StreamExecutionEnvironment env = env();
    job.wire(env);
    JobClient client = env.executeAsync("series learning online");
    try {
      kafka.produce(in, records);
      List<String> scores = kafka.readCommitted("s.scores", r -> r.size() >= goodSources.size(),
          Duration.ofSeconds(1), Duration.ofSeconds(90));
      List<String> rejected = kafka.readCommitted("s.rejected", r -> r.size() >= 2,
          Duration.ofSeconds(1), Duration.ofSeconds(30));
      assertThat(ids(scores)).containsExactlyInAnyOrderElementsOf(goodSources.keySet());
      for (String sc : scores) {
        JsonNode n = json(sc);
        assertThat(n.get("kind").asText()).isEqualTo("series");
        assertThat(n.get("source").asText()).isEqualTo(goodSources.get(n.get("id").asText()));
        assertThat(n.get("score").asDouble()).isFinite().isNotNegative();
        assertThat(n.get("tStar").asInt()).isEqualTo(600);
      }
      Map<String, String> reasons = new HashMap<>();
      for (String r : rejected) {
        reasons.put(json(r).get("id").asText(), json(r).get("reason").asText());
      }
      assertThat(reasons).containsOnlyKeys("short", "three");
      assertThat(reasons.get("short")).isEqualTo("TOO_SHORT");
      assertThat(client.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
    } finally {
      if (client.getJobStatus().get() == JobStatus.FAILED) {
        // Say why, rather than that the job could not be cancelled.
        client.getJobExecutionResult().get(30, TimeUnit.SECONDS);
      }
      client.cancel().get(30, TimeUnit.SECONDS);
    }
  }

  /** Two channels (sine, cosine) of {@code rows} rows, phase-shifted by {@code phase} rows. */
  static float[] sines(int rows, int phase) {
    float[] x = new float[2 * rows];
    for (int k = 0; k < rows; k++) {
      x[k] = (float) (0.7 * Math.sin(2 * Math.PI * (k + phase) / 8.0));
      x[rows + k] = (float) (0.7 * Math.cos(2 * Math.PI * (k + phase) / 8.0));
    }
    return x;
  }
}
