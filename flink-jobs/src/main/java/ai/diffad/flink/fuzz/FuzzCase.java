package ai.diffad.flink.fuzz;

import ai.diffad.denoise.record.RejectReason;
import java.util.EnumSet;
import java.util.Set;

/**
 * One generated input: bytes and how they reach the decoders, made from {@code (seed, index)}
 * alone by {@link FuzzGenerator#generate(long, int)}.
 *
 * @param seed the run's seed
 * @param index the case's index in the run
 * @param kind what was done to the valid seed, e.g. {@code png-rgb8/ihdr-width+crc}
 * @param route how the bytes reach the decoders
 * @param model which model decodes them
 * @param fileName the file's name for {@link Route#FILE} (its extension picks the sensor format)
 * @param bytes the file, the raw bytes behind the base64 field, or the Kafka message's value
 *     (null for a tombstone)
 * @param attachment for a Kafka message naming a file: the file's bytes, written as {@code
 *     fileName} under the allowed root; else null
 * @param expect what the outcome must be
 */
public record FuzzCase(long seed, int index, String kind, Route route, Model model,
    String fileName, byte[] bytes, byte[] attachment, Expect expect) {

  /** How a case's bytes reach the decoders. */
  public enum Route {
    /** Written to a file, decoded from a PATH record (the directory and batch path). */
    FILE,
    /** Base64-encoded into a BASE64 record that goes straight to the decoder. */
    BASE64,
    /** A Kafka message value: UTF-8 decoded as the source does, parsed, then decoded. */
    KAFKA
  }

  /** Which model decodes a case. */
  public enum Model {
    /** 3-channel images. */
    IMAGE,
    /** 2-channel series, window 8. */
    SERIES
  }

  /**
   * What a case must yield, beyond the checks every case gets (one outcome, a reason and a detail
   * for a rejection, sane data for a decoded input, no PROCESSING_FAILED, within the time cap).
   *
   * @param decoded whether the outcome must be a decoded input (then {@code height}/{@code width}
   *     are checked when positive), or a rejection with one of {@code reasons}
   * @param reasons the accepted reasons of a rejection; empty = any rejection
   * @param height expected rows (images) or 1 (series); 0 = not checked
   * @param width expected columns (images) or time steps (series); 0 = not checked
   * @param any when true nothing beyond the common checks is asked
   */
  public record Expect(boolean any, boolean decoded, Set<RejectReason> reasons, int height, int width) {
    /** Only the common checks. */
    public static final Expect ANY = new Expect(true, false, Set.of(), 0, 0);
    /** Some rejection (not PROCESSING_FAILED, which the common checks refuse anyway). */
    public static final Expect REJECTED = new Expect(false, false, Set.of(), 0, 0);

    /** A decoded input of exactly {@code height} x {@code width}. */
    public static Expect decoded(int height, int width) {
      return new Expect(false, true, Set.of(), height, width);
    }

    /** A rejection with one of {@code reasons}. */
    public static Expect rejected(RejectReason first, RejectReason... more) {
      return new Expect(false, false, EnumSet.of(first, more), 0, 0);
    }

    /** A short form for reports and regression lists: ANY, REJECTED, DECODED[HxW] or A|B. */
    @Override
    public String toString() {
      if (any) {
        return "ANY";
      }
      if (decoded) {
        return "DECODED" + (height > 0 ? "[" + height + "x" + width + "]" : "");
      }
      if (reasons.isEmpty()) {
        return "REJECTED";
      }
      StringBuilder sb = new StringBuilder();
      for (RejectReason r : EnumSet.copyOf(reasons)) {
        sb.append(sb.length() == 0 ? "" : "|").append(r.name());
      }
      return sb.toString();
    }

    /** Parses {@link #toString()}'s form. */
    public static Expect parse(String s) {
      String t = s.trim();
      if (t.equals("ANY")) {
        return ANY;
      }
      if (t.equals("REJECTED")) {
        return REJECTED;
      }
      if (t.startsWith("DECODED")) {
        if (t.equals("DECODED")) {
          return new Expect(false, true, Set.of(), 0, 0);
        }
        String[] hw = t.substring(8, t.length() - 1).split("x");
        return decoded(Integer.parseInt(hw[0]), Integer.parseInt(hw[1]));
      }
      EnumSet<RejectReason> rs = EnumSet.noneOf(RejectReason.class);
      for (String r : t.split("\\|")) {
        rs.add(RejectReason.valueOf(r.trim()));
      }
      return new Expect(false, false, rs, 0, 0);
    }
  }

  /** A file-name-safe label: kind with '/' as '_', then seed and index. */
  public String label() {
    return kind.replaceAll("[^A-Za-z0-9+.-]+", "_") + "-" + seed + "-" + index;
  }
}
