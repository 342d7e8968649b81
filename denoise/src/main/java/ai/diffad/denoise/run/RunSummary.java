package ai.diffad.denoise.run;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts of one run over many inputs: every input is either processed or rejected.
 *
 * @param inputs inputs seen
 * @param processed inputs with a result record
 * @param rejected inputs with a rejection record
 * @param anomalous processed inputs flagged anomalous (0 when uncalibrated or not scoring)
 * @param rejectedByReason rejection counts per reason
 * @param seconds wall-clock seconds
 */
public record RunSummary(int inputs, int processed, int rejected, int anomalous,
    Map<String, Integer> rejectedByReason, double seconds) {

  /** Copies the map. */
  public RunSummary {
    rejectedByReason = Map.copyOf(new TreeMap<>(rejectedByReason));
  }

  /** One line for people, e.g. {@code 40 inputs: 38 scored (3 anomalous), 2 rejected (...)}. */
  public String line(String verb) {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
        "%d inputs: %d %s", inputs, processed, verb));
    if (anomalous > 0) {
      sb.append(" (").append(anomalous).append(" anomalous)");
    }
    sb.append(", ").append(rejected).append(" rejected");
    if (!rejectedByReason.isEmpty()) {
      sb.append(' ').append(new TreeMap<>(rejectedByReason));
    }
    sb.append(String.format(Locale.ROOT, " in %.1f s", seconds));
    return sb.toString();
  }
}
