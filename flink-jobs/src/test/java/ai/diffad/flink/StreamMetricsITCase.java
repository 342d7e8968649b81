package ai.diffad.flink;

import static org.assertj.core.api.Assertions.assertThat;

import ai.diffad.config.EngineConfig;
import ai.diffad.config.ThresholdMethod;
import ai.diffad.denoise.calibrate.Calibration;
import ai.diffad.denoise.calibrate.CalibrationStore;
import ai.diffad.denoise.calibrate.ScoreSettings;
import ai.diffad.denoise.record.JsonLines;
import ai.diffad.flink.operators.Metrics;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
 * The streaming job's metrics in Flink's metric system, read through an in-memory reporter and
 * scraped from the Prometheus reporter of the metrics profile, on a MiniCluster (2 slots).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StreamMetricsITCase {
  static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();
  static final int PROMETHEUS_PORT = FlinkEnvironments.freePort(9249);

  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder()
          .setConfiguration(FlinkEnvironments.with(REPORTER.addToConfiguration(new Configuration()),
              FlinkEnvironments.prometheus(Integer.toString(PROMETHEUS_PORT))))
          .setNumberTaskManagers(1)
          .setNumberSlotsPerTaskManager(2)
          .build());

  @TempDir static Path shared;
  static Path model;

  @TempDir Path in;
  @TempDir Path out;

  @BeforeAll
  static void trainAndCalibrateTinyModel() {
    model = TinyModel.train(shared.resolve("model"));
    EngineConfig engine = TinyModel.engine();
    // Every score is >= 0: with a threshold of 0 every scored input is anomalous.
    CalibrationStore.write(model, new Calibration(Calibration.FORMAT_VERSION,
        ThresholdMethod.QUANTILE, 0.99, 0.0, new Calibration.Normalization(0.0, 1.0),
        new Calibration.Summary(1, 0.0, 0.0, 0.0), 0, null, Instant.now().toString(),
        ScoreSettings.of(engine)));
  }

  private StreamJob.Builder job() {
    return StreamJob.builder().model(model).input(in).output(out).engine(TinyModel.engine())
        .maxBatch(2).maxWait(Duration.ofMillis(200)).checkpointInterval(Duration.ofMillis(300))
        .parallelism(2);
  }

  @Test
  void countersMatchTheInputsAndTheHistogramsSawEveryBatch() throws Exception {
    for (int i = 0; i < 7; i++) {
      TinyModel.writePng(in.resolve("cam" + (i % 2) + "/img-" + i + ".png"), 16, 16 + 4 * (i % 3), 1, i);
    }
    Files.createFile(in.resolve("cam0/empty.png"));
    Files.writeString(in.resolve("cam1/bad.png"), "not an image");
    StreamJob job = job().bounded().build();
    JobExecutionResult r = job.execute(StreamExecutionEnvironment.getExecutionEnvironment());
    JobID id = r.getJobID();

    List<JsonNode> scores = read(job.scoresFile());
    assertThat(scores).hasSize(7);
    long anomalous = scores.stream().filter(s -> s.path("anomalous").asBoolean(false)).count();
    assertThat(anomalous).isEqualTo(7);

    assertThat(counter(id, "decode", Metrics.RECEIVED)).isEqualTo(9);
    assertThat(counter(id, "decode", Metrics.DECODED)).isEqualTo(7);
    assertThat(counter(id, "decode", Metrics.REJECTED)).isEqualTo(2);
    assertThat(counter(id, "score", Metrics.SCORED)).isEqualTo(7);
    assertThat(counter(id, "score", Metrics.REJECTED)).isZero();
    assertThat(counter(id, "score", Metrics.ANOMALOUS)).isEqualTo(anomalous);
    long batches = counter(id, "micro-batch (2, 200 ms)", Metrics.BATCHES);
    assertThat(batches).isBetween(4L, 7L);
    assertThat(histograms(id, "score", Metrics.BATCH_SIZE)).extracting(Histogram::getCount)
        .containsOnly(countPerSubtask(id, "micro-batch (2, 200 ms)", Metrics.BATCHES).toArray(Long[]::new));
    assertThat(histograms(id, "score", Metrics.BATCH_SIZE).stream().mapToLong(Histogram::getCount).sum())
        .isEqualTo(batches);
    assertThat(histograms(id, "score", Metrics.BATCH_SIZE).stream()
        .flatMapToLong(h -> java.util.Arrays.stream(h.getStatistics().getValues())).sum()).isEqualTo(7);
    assertThat(histograms(id, "score", Metrics.MODEL_LATENCY).stream().mapToLong(Histogram::getCount).sum())
        .isEqualTo(batches);
    assertThat(histograms(id, "score", Metrics.END_TO_END).stream().mapToLong(Histogram::getCount).sum())
        .isEqualTo(7);
    assertThat(histograms(id, "score", Metrics.END_TO_END).stream()
        .mapToLong(h -> h.getStatistics().getMin())).allMatch(v -> v >= 0);
  }

  @Test
  void thePrometheusProfileServesTheJobsMetricsWhileItRuns() throws Exception {
    TinyModel.writePng(in.resolve("cam1/a.png"), 16, 16, 1, 1);
    TinyModel.writePng(in.resolve("cam1/b.png"), 16, 16, 1, 2);
    StreamJob job = job().monitorInterval(Duration.ofMillis(200)).build();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    job.wire(env);
    JobClient client = env.executeAsync("diffad metrics test");
    String body = "";
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      HttpClient http = HttpClient.newHttpClient();
      HttpRequest get = HttpRequest.newBuilder(URI.create("http://localhost:" + PROMETHEUS_PORT + "/metrics")).build();
      while (System.nanoTime() < deadline) {
        body = http.send(get, HttpResponse.BodyHandlers.ofString()).body();
        if (read(job.scoresFile()).size() == 2 && body.contains("operator_inputsScored")
            && scraped(body, "operator_inputsScored") == 2) {
          break;
        }
        Thread.sleep(250);
      }
    } finally {
      client.cancel().get(30, TimeUnit.SECONDS);
    }
    assertThat(scraped(body, "operator_inputsReceived")).isEqualTo(2);
    assertThat(scraped(body, "operator_inputsScored")).isEqualTo(2);
    assertThat(body).contains("operator_modelLatencyMs").contains("operator_endToEndLatencyMs")
        .contains("operator_batchSize");
  }

  /** The sum over subtasks of a counter in Prometheus' text format. */
  private static double scraped(String body, String name) {
    double sum = 0;
    for (String line : body.split("\n")) {
      if (line.startsWith("flink_taskmanager_job_task_" + name + "{")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  private static long counter(JobID job, String operator, String metric) {
    return countPerSubtask(job, operator, metric).stream().mapToLong(Long::longValue).sum();
  }

  private static List<Long> countPerSubtask(JobID job, String operator, String metric) {
    return metrics(job, operator, metric).stream().map(m -> ((Counter) m).getCount()).toList();
  }

  private static List<Histogram> histograms(JobID job, String operator, String metric) {
    return metrics(job, operator, metric).stream().map(m -> (Histogram) m).toList();
  }

  private static List<Metric> metrics(JobID job, String operator, String metric) {
    List<Metric> out = new ArrayList<>();
    for (Map.Entry<MetricGroup, Map<String, Metric>> e : REPORTER.getMetricsByGroup().entrySet()) {
      Map<String, String> vars = e.getKey().getAllVariables();
      if (job.toString().equals(vars.get("<job_id>")) && operator.equals(vars.get("<operator_name>"))
          && e.getValue().containsKey(metric)) {
        out.add(e.getValue().get(metric));
      }
    }
    assertThat(out).as(operator + "." + metric).isNotEmpty();
    return out;
  }

  private static List<JsonNode> read(Path file) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    if (!Files.exists(file)) {
      return out;
    }
    String text = Files.readString(file);
    int end = text.lastIndexOf('\n');
    if (end < 0) {
      return out;
    }
    for (String line : text.substring(0, end).split("\n")) {
      if (!line.isBlank()) {
        out.add(JsonLines.mapper().readTree(line));
      }
    }
    return out;
  }
}
