package ai.diffad.flink.operators;

import ai.diffad.config.ConfigLoader;
import ai.diffad.config.EngineConfig;
import ai.diffad.denoise.record.JsonLines;

/**
 * Engine settings as JSON text: operators are Java-serialized into the job graph, and
 * {@link EngineConfig} is a plain record, so they carry its JSON and rebuild it in {@code open()}.
 */
public final class EngineSettings {
  private EngineSettings() {}

  /** The settings as JSON. */
  public static String toJson(EngineConfig config) {
    return JsonLines.toJson(config);
  }

  /** The settings from {@link #toJson} (validated again by the record's constructor). */
  public static EngineConfig fromJson(String json) {
    return ConfigLoader.parse(json, true, EngineConfig.class);
  }
}
