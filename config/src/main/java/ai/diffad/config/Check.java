package ai.diffad.config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Validation helpers used by the compact constructors of the configuration records. */
public final class Check {
  private Check() {}

  /** Requires {@code value > 0}. */
  public static void positive(String field, double value) {
    if (!(value > 0) || !Double.isFinite(value)) {
      throw new ConfigException(field, "must be > 0, got " + value);
    }
  }

  /** Requires {@code value > 0}. */
  public static void positive(String field, long value) {
    if (value <= 0) {
      throw new ConfigException(field, "must be > 0, got " + value);
    }
  }

  /** Requires {@code value >= 0}. */
  public static void nonNegative(String field, double value) {
    if (!(value >= 0) || !Double.isFinite(value)) {
      throw new ConfigException(field, "must be >= 0, got " + value);
    }
  }

  /** Requires {@code value >= 0}. */
  public static void nonNegative(String field, long value) {
    if (value < 0) {
      throw new ConfigException(field, "must be >= 0, got " + value);
    }
  }

  /** Requires {@code lo <= value <= hi}. */
  public static void inRange(String field, double value, double lo, double hi) {
    if (!(value >= lo && value <= hi)) {
      throw new ConfigException(field, "must be in [" + lo + ", " + hi + "], got " + value);
    }
  }

  /** Requires {@code lo <= value <= hi}. */
  public static void inRange(String field, long value, long lo, long hi) {
    if (value < lo || value > hi) {
      throw new ConfigException(field, "must be in [" + lo + ", " + hi + "], got " + value);
    }
  }

  /** Requires {@code lo <= value < hi}. */
  public static void inHalfOpen(String field, double value, double lo, double hi) {
    if (!(value >= lo && value < hi)) {
      throw new ConfigException(field, "must be in [" + lo + ", " + hi + "), got " + value);
    }
  }

  /** Requires a present value. */
  public static <T> T required(String field, T value) {
    if (value == null) {
      throw new ConfigException(field, "is required");
    }
    return value;
  }

  /** Parses a YAML/JSON spelling of an enum constant, naming the allowed spellings on failure. */
  public static <E extends Enum<E> & Named> E named(String field, Class<E> type, String text) {
    for (E e : type.getEnumConstants()) {
      if (e.spelling().equalsIgnoreCase(text) || e.name().equalsIgnoreCase(text)) {
        return e;
      }
    }
    throw new ConfigException(
        field, "must be one of " + allowed(type) + ", got '" + text + "'");
  }

  /** The allowed spellings of an enum, for messages. */
  public static <E extends Enum<E> & Named> String allowed(Class<E> type) {
    return Arrays.stream(type.getEnumConstants())
        .map(Named::spelling)
        .collect(Collectors.joining(", ", "[", "]"));
  }

  /** Immutable copy of a list, or an empty list for null. */
  public static <T> List<T> list(List<T> value) {
    return value == null ? List.of() : List.copyOf(value);
  }

  /** The spelling used in files for an enum constant: lower case, dashes for underscores. */
  static String spell(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** An enum with a file spelling. */
  public interface Named {
    /** The spelling in configuration files and on the command line. */
    default String spelling() {
      return spell((Enum<?>) this);
    }
  }
}
