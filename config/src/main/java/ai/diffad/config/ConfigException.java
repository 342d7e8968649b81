package ai.diffad.config;

/**
 * A configuration value that is missing, malformed or out of range. The message always starts with
 * the field path (for example {@code training.learningRate}) so that a user can find the line to fix.
 * Command-line front ends map it to exit code 2.
 */
public final class ConfigException extends RuntimeException {
  private final String field;

  /**
   * @param field dotted path of the offending field, relative to where it was detected
   * @param problem what is wrong, including the allowed values or range and the value given
   */
  public ConfigException(String field, String problem) {
    super(field.isEmpty() ? problem : field + ": " + problem);
    this.field = field;
  }

  /** The dotted path of the offending field. */
  public String field() {
    return field;
  }

  /** The description of the problem, without the field path. */
  public String problem() {
    return field.isEmpty() ? getMessage() : getMessage().substring(field.length() + 2);
  }

  /** This error with {@code parent} prepended to its field path. */
  public ConfigException under(String parent) {
    if (parent.isEmpty()) {
      return this;
    }
    return new ConfigException(field.isEmpty() ? parent : parent + "." + field, problem());
  }
}
