package ai.diffad.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Reads configuration records from YAML ({@code .yaml}, {@code .yml}) or JSON ({@code .json}).
 * Unknown keys are refused; every error is a {@link ConfigException} whose field is the full dotted
 * path from the document root.
 */
public final class ConfigLoader {
  private ConfigLoader() {}

  /** Reads a model profile. */
  public static DiffadConfig load(Path file) {
    return read(file, DiffadConfig.class);
  }

  /** Reads any configuration record type from a file, chosen by extension. */
  public static <T> T read(Path file, Class<T> type) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException("--config", "file not found: " + file);
    } catch (IOException e) {
      throw new ConfigException("--config", "cannot read " + file + ": " + e.getMessage());
    }
    String lower = file.getFileName().toString().toLowerCase(Locale.ROOT);
    boolean json = lower.endsWith(".json");
    if (!json && !lower.endsWith(".yaml") && !lower.endsWith(".yml")) {
      throw new ConfigException(
          "--config", "must be a .yaml, .yml or .json file, got " + file.getFileName());
    }
    return parse(text, json, type);
  }

  /** Parses YAML (or JSON, which is YAML too) text. */
  public static <T> T parse(String text, boolean json, Class<T> type) {
    ObjectMapper mapper = json ? new ObjectMapper() : new YAMLMapper();
    mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    mapper.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
    try {
      T value = mapper.readValue(text, type);
      if (value == null) {
        throw new ConfigException("", "the configuration is empty");
      }
      return value;
    } catch (JsonMappingException e) {
      throw translate(e);
    } catch (JsonProcessingException e) {
      throw new ConfigException(
          "", "not valid " + (json ? "JSON" : "YAML") + ": " + e.getOriginalMessage()
              + location(e));
    }
  }

  /** Turns Jackson's error into one that names the dotted field path. */
  private static ConfigException translate(JsonMappingException e) {
    String path = e.getPath().stream()
        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining("."))
        .replace(".[", "[");
    Throwable cause = e.getCause();
    if (e instanceof ValueInstantiationException && cause instanceof ConfigException ce) {
      return ce.under(path);
    }
    if (cause instanceof ConfigException ce) {
      return ce.under(path);
    }
    if (e instanceof UnrecognizedPropertyException u) {
      String known = u.getKnownPropertyIds() == null ? "" : u.getKnownPropertyIds().stream()
          .map(Object::toString).sorted().collect(Collectors.joining(", ", " (allowed: ", ")"));
      return new ConfigException(path, "unknown key" + known);
    }
    if (e instanceof InvalidFormatException f) {
      return new ConfigException(
          path, "expected " + f.getTargetType().getSimpleName().toLowerCase(Locale.ROOT)
              + ", got '" + f.getValue() + "'");
    }
    if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
      return new ConfigException(
          path, "expected " + m.getTargetType().getSimpleName().toLowerCase(Locale.ROOT)
              + ": " + e.getOriginalMessage());
    }
    return new ConfigException(path, e.getOriginalMessage());
  }

  private static String location(JsonProcessingException e) {
    return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
  }
}
