package ai.diffad.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.diffad.flink.TinyModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class StreamCommandITCase {
  @TempDir Path dir;

  private Path write(String name, String yaml) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, yaml);
    return f;
  }

  @Test
  void aConfigurationErrorExitsWith2AndNamesTheField() throws Exception {
    Path f = write("bad.yaml", "model: m\nsource: {directory: {path: in}}\noutputs: {dir: out}\nalerts: {count: 0}\n");
    CliTest.Run r = CliTest.run("stream", "--config", f.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("diffad stream: configuration error: alerts.count: must be in [1, 100000], got 0");

    f = write("unknown.yaml", "model: m\nsource: {kind: kafka, kafka: {bootstrapServers: k, topics: x}}\noutputs: {dir: out}\n");
    r = CliTest.run("stream", "--config", f.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("source.kafka.topics: unknown key (allowed: allowedPathRoot, bootstrapServers,");

    f = write("nomodel.yaml", "model: " + dir.resolve("none") + "\nsource: {directory: {path: in}}\noutputs: {dir: out}\n");
    r = CliTest.run("stream", "--config", f.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("configuration error: model: no model at " + dir.resolve("none"));

    r = CliTest.run("stream", "--config", dir.resolve("missing.yaml").toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--config: file not found");

    r = CliTest.run("stream", "--config", f.toString(), "--until-idle", "0");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--until-idle: must be > 0 seconds, got 0.0");
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aLocalRunScoresTheFolderAndStopsOnceIdle() throws Exception {
    Path model = TinyModel.train(dir.resolve("model"));
    Path in = dir.resolve("in");
    TinyModel.writePng(in.resolve("cam1/a.png"), 16, 16, 1, 1);
    TinyModel.writePng(in.resolve("cam1/b.png"), 16, 16, 1, 2);
    TinyModel.writePng(in.resolve("cam2/c.png"), 20, 16, 1, 3);
    Files.writeString(in.resolve("cam2/d.png"), "not an image");
    Path out = dir.resolve("out");
    Path f = write("stream.yaml", String.join("\n",
        "model: " + model,
        "source: {kind: directory, directory: {path: " + in + ", monitorInterval: 200ms}}",
        "batching: {maxSize: 2, maxWait: 200ms}",
        "engine: {reconstruction: {tStar: 10, sampler: ddim, steps: 2, batchSize: 4},"
            + " score: {smoothSigma: 1.0}}",
        "outputs: {dir: " + out + ", maps: on}",
        "alerts: {count: 2, window: 60s, threshold: 0.0}",
        "checkpointing: {interval: 500ms}",
        "dashboard: {on: true}",
        ""));
    CliTest.Run r = CliTest.run("stream", "--config", f.toString(), "--until-idle", "3");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("running locally; Flink web UI: http://localhost:").contains("idle for 3.0 s");
    // The dashboard ran beside the job, its address on the job's line, and stopped with it.
    java.util.regex.Matcher dash = java.util.regex.Pattern.compile("; dashboard: http://127\\.0\\.0\\.1:(\\d+)/")
        .matcher(r.out());
    assertThat(dash.find()).as(r.out()).isTrue();
    int port = Integer.parseInt(dash.group(1));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> {
      try (java.net.Socket s = new java.net.Socket()) {
        s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 1000);
      }
    }).isInstanceOf(java.io.IOException.class);
    List<String> scores = Files.readAllLines(out.resolve("scores.jsonl"));
    List<String> rejected = Files.readAllLines(out.resolve("rejected.jsonl"));
    assertThat(scores).hasSize(3);
    assertThat(rejected).singleElement().asString().contains("\"id\":\"cam2/d.png\"").contains("DECODE_FAILED");
    assertThat(out.resolve("maps/cam1/a.png")).isRegularFile();
    assertThat(out.resolve("overlays/cam2/c.png")).isRegularFile();
    // every result is over a threshold of 0: cam1 has two within the window, cam2 one
    assertThat(Files.readAllLines(out.resolve("alerts.jsonl"))).singleElement().asString()
        .contains("\"source\":\"cam1\"").contains("\"count\":2");
  }
}
