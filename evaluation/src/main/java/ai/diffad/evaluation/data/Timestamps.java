package ai.diffad.evaluation.data;

import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;

/** Parses the "yyyy-MM-dd HH:mm:ss[.ffffff]" timestamps NAB and SKAB use. */
final class Timestamps {
  private Timestamps() {}

  static LocalDateTime parse(String s) {
    String t = s.trim();
    if (t.length() > 10 && t.charAt(10) == ' ') {
      t = t.substring(0, 10) + 'T' + t.substring(11);
    }
    try {
      return LocalDateTime.parse(t);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("not a timestamp: '" + s + "'", e);
    }
  }
}
