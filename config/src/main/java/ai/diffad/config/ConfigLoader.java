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
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
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

  /**
   * Largest configuration file read: 1 MiB. Profiles and job configurations are a few KiB; a
   * larger file is a mistake (a data file given as --config) or an attempt to exhaust memory.
   */
  public static final int MAX_BYTES = 1 << 20;

  /** Reads any configuration record type from a file given with --config, chosen by extension. */
  public static <T> T read(Path file, Class<T> type) {
    return read(file, type, "--config");
  }

  /**
   * Reads any configuration record type from a file, chosen by extension.
   *
   * @param option the option that named the file, for messages (e.g. {@code --engine})
   * @throws ConfigException under {@code option} if the file is missing, unreadable, over
   *     {@link #MAX_BYTES}, not UTF-8, not YAML/JSON, or not a valid configuration
   */
  public static <T> T read(Path file, Class<T> type, String option) {
    String lower = file.getFileName() == null ? ""
        : file.getFileName().toString().toLowerCase(Locale.ROOT);
    boolean json = lower.endsWith(".json");
    if (!json && !lower.endsWith(".yaml") && !lower.endsWith(".yml")) {
      throw new ConfigException(
          option, "must be a .yaml, .yml or .json file, got " + file.getFileName());
    }
    return parse(readText(file, option), json, type);
  }

  /**
   * The text of a configuration file: at most {@link #MAX_BYTES} bytes of strict UTF-8.
   *
   * @throws ConfigException under {@code option} naming the file and the size and cap, or the byte
   *     offset of the first byte that is not UTF-8
   */
  public static String readText(Path file, String option) {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      // Read one byte past the cap rather than trusting the size: /dev/zero and pipes have none.
      bytes = in.readNBytes(MAX_BYTES + 1);
    } catch (NoSuchFileException e) {
      throw new ConfigException(option, "file not found: " + file);
    } catch (IOException e) {
      throw new ConfigException(option, "cannot read " + file + ": " + e.getMessage());
    }
    if (bytes.length > MAX_BYTES) {
      String size;
      try {
        long n = Files.size(file);
        size = n > MAX_BYTES ? n + " bytes" : "more than " + MAX_BYTES + " bytes";
      } catch (IOException e) {
        size = "more than " + MAX_BYTES + " bytes";
      }
      throw new ConfigException(option, file + " is " + size + ", over the cap of " + MAX_BYTES
          + " bytes (1 MiB) for a configuration file; is it the right file?");
    }
    CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length + 1);
    CoderResult r = d.decode(in, out, true);
    if (!r.isError()) {
      r = d.flush(out);
    }
    if (r.isError()) {
      int at = in.position();
      StringBuilder hex = new StringBuilder();
      for (int i = at; i < Math.min(bytes.length, at + Math.max(1, r.length())); i++) {
        hex.append(hex.length() == 0 ? "" : " ").append(String.format("%02x", bytes[i] & 0xff));
      }
      throw new ConfigException(option, file + " is not UTF-8 text: invalid byte"
          + (r.length() > 1 ? "s " : " ") + hex + " at byte offset " + at
          + " (save the file as UTF-8)");
    }
    out.flip();
    return out.toString();
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
