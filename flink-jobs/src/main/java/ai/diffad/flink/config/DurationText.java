package ai.diffad.flink.config;

import ai.diffad.config.ConfigException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import java.io.IOException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations in configuration files: a number with a unit ({@code 500ms}, {@code 10s},
 * {@code 2m}, {@code 1h}), a plain number of seconds ({@code 10}, {@code 0.5}), or ISO-8601
 * ({@code PT10S}). Errors are {@link ConfigException}s, so the loader names the field.
 */
public final class DurationText extends JsonDeserializer<Duration> {
  private static final Pattern TEXT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|min|h)?");

  /** Parses one duration (see the class comment). */
  public static Duration parse(String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    Matcher m = TEXT.matcher(t);
    if (m.matches()) {
      double v = Double.parseDouble(m.group(1));
      String unit = m.group(2) == null ? "s" : m.group(2);
      double ms = switch (unit) {
        case "ms" -> v;
        case "s" -> v * 1e3;
        case "m", "min" -> v * 60e3;
        default -> v * 3600e3;
      };
      return Duration.ofMillis(Math.round(ms));
    }
    if (t.startsWith("pt") || t.startsWith("p")) {
      try {
        return Duration.parse(text.trim());
      } catch (DateTimeParseException e) {
        // fall through to the message below
      }
    }
    throw new ConfigException("", "must be a duration such as 500ms, 10s, 2m or 1h, got '" + text + "'");
  }

  /** A duration for messages and files: the shortest of ms, s, m and h that is exact. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 3_600_000 == 0 && ms > 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0 && ms > 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }

  @Override
  public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
      double seconds = p.getDoubleValue();
      if (!(seconds >= 0) || Double.isInfinite(seconds)) {
        throw new ConfigException("", "must be a duration >= 0, got " + p.getText());
      }
      return Duration.ofMillis(Math.round(seconds * 1000));
    }
    if (t == JsonToken.VALUE_STRING) {
      return parse(p.getText());
    }
    throw new ConfigException("", "must be a duration such as 500ms, 10s, 2m or 1h, got " + t);
  }
}
