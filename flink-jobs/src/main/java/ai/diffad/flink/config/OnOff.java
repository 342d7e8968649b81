package ai.diffad.flink.config;

import ai.diffad.config.ConfigException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import java.io.IOException;
import java.util.Locale;

/** Switches in configuration files: {@code on}/{@code off} (or true/false, yes/no). */
public final class OnOff extends JsonDeserializer<Boolean> {
  @Override
  public Boolean deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_TRUE) {
      return Boolean.TRUE;
    }
    if (t == JsonToken.VALUE_FALSE) {
      return Boolean.FALSE;
    }
    if (t == JsonToken.VALUE_STRING) {
      switch (p.getText().trim().toLowerCase(Locale.ROOT)) {
        case "on", "true", "yes" -> {
          return Boolean.TRUE;
        }
        case "off", "false", "no" -> {
          return Boolean.FALSE;
        }
        default -> { }
      }
    }
    throw new ConfigException("", "must be one of [on, off], got '" + p.getText() + "'");
  }
}
