package ai.diffad.cli.demo;

import ai.diffad.config.EngineConfig;
import ai.diffad.flink.config.DurationText;
import ai.diffad.flink.config.StreamConfig;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The stream configuration the demo runs {@code diffad stream --config} with: a {@link StreamConfig}
 * value, written as YAML by Jackson with the keys {@link StreamConfig#parse} reads (paths as plain
 * strings, durations as {@code 500ms}/{@code 5s}/{@code 5m}, unset fields left out).
 */
public final class DemoStreamConfig {
  /** First line of the file. */
  static final String HEADER =
      "# Written by diffad demo: the streaming job it ran (diffad stream --config this-file).\n";

  private static final ObjectMapper YAML = YAMLMapper.builder()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
      .serializationInclusion(JsonInclude.Include.NON_NULL)
      .addModule(new SimpleModule("diffad-stream-config")
          .addSerializer(Path.class, ToStringSerializer.instance)
          .addSerializer(Duration.class, new DurationSerializer()))
      .build();

  private DemoStreamConfig() {}

  /**
   * The demo's job: the watched folder {@code incoming} (recursive, looked at every 500 ms), batches
   * of up to 8 or 300 ms, the demo's engine settings, results with anomaly maps under
   * {@code results}, an alert for 3 flagged images of one camera within 60 s (5 min cooldown),
   * exactly-once checkpoints every 5 s, parallelism 1, and the live dashboard of the results on
   * 127.0.0.1 (the first free port from 8090) while the job runs.
   */
  public static StreamConfig of(Path model, Path incoming, Path results, EngineConfig engine) {
    return new StreamConfig(
        model,
        new StreamConfig.Source(StreamConfig.SourceKind.DIRECTORY,
            new StreamConfig.Directory(incoming, true, Duration.ofMillis(500)), null),
        new StreamConfig.Batching(8, Duration.ofMillis(300)),
        engine,
        new StreamConfig.Outputs(results, null, true, null),
        new StreamConfig.Alerts(null, 3, Duration.ofSeconds(60), Duration.ofMinutes(5), null),
        new StreamConfig.Checkpointing(Duration.ofSeconds(5), true, null),
        1,
        null,
        new StreamConfig.Dashboard(true, null, null, null, null));
  }

  /** The configuration as YAML that {@link StreamConfig#parse} reads back to an equal value. */
  public static String toYaml(StreamConfig config) {
    try {
      return HEADER + YAML.writeValueAsString(config);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes {@link #toYaml} to {@code file}. */
  public static void write(StreamConfig config, Path file) throws IOException {
    Files.writeString(file, toYaml(config));
  }

  /** Durations as {@link DurationText} spells them, which its parser reads back. */
  private static final class DurationSerializer extends StdSerializer<Duration> {
    DurationSerializer() {
      super(Duration.class);
    }

    @Override
    public void serialize(Duration d, JsonGenerator gen, SerializerProvider provider) throws IOException {
      gen.writeString(DurationText.format(d));
    }
  }
}
