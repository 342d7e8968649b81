package ai.diffad.evaluation.report;

import ai.diffad.denoise.io.ImageEncoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * {@code scores.csv}: one row per test item, header {@code path,label,defect,score} followed by
 * optional extra score columns (e.g. {@code baseline_score}). {@code label} is 1 for anomalous and
 * 0 for normal. Fields are quoted as RFC 4180 says (a field holding a comma, quote, line break or
 * leading/trailing space is wrapped in quotes, quotes doubled); lines end with {@code \n}; UTF-8.
 * Numbers are written with {@link Double#toString} (exact round trip), NaN as an empty field,
 * infinities as {@code inf} / {@code -inf} (what pandas reads).
 */
public final class ScoresCsv {
  /** The fixed leading columns. */
  public static final List<String> HEADER = List.of("path", "label", "defect", "score");

  private ScoresCsv() {}

  /**
   * One test item.
   *
   * @param path the item's path (as the caller wants it shown, e.g. relative to the dataset)
   * @param anomalous true for label 1
   * @param defect the defect type ("good" for normal MVTec images); null is written empty
   * @param score the method's score
   * @param extra values of the extra columns, in header order
   */
  public record Row(String path, boolean anomalous, String defect, double score,
      double... extra) {
    /** Checks the path and copies {@code extra}. */
    public Row {
      Objects.requireNonNull(path, "path");
      extra = extra == null ? new double[0] : extra.clone();
    }

    /** A copy of the extra values. */
    @Override
    public double[] extra() {
      return extra.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Row r && path.equals(r.path) && anomalous == r.anomalous
          && Objects.equals(defect, r.defect) && Double.compare(score, r.score) == 0
          && Arrays.equals(extra, r.extra);
    }

    @Override
    public int hashCode() {
      return Objects.hash(path, anomalous, defect, score, Arrays.hashCode(extra));
    }

    @Override
    public String toString() {
      return "Row[" + path + ", " + (anomalous ? 1 : 0) + ", " + defect + ", " + score
          + (extra.length > 0 ? ", " + Arrays.toString(extra) : "") + "]";
    }
  }

  /**
   * The content of a file.
   *
   * @param extraColumns names of the columns after {@code score}
   * @param rows the rows in file order
   */
  public record Table(List<String> extraColumns, List<Row> rows) {
    /** Copies both lists. */
    public Table {
      extraColumns = List.copyOf(extraColumns);
      rows = List.copyOf(rows);
    }
  }

  /** Writes rows without extra columns. */
  public static void write(Path file, List<Row> rows) throws IOException {
    write(file, List.of(), rows);
  }

  /**
   * Writes the file atomically (temporary file, then rename).
   *
   * @param extraColumns names of the columns after {@code score}; every row has that many extras
   */
  public static void write(Path file, List<String> extraColumns, List<Row> rows)
      throws IOException {
    ImageEncoder.writeAtomically(file, format(extraColumns, rows).getBytes(StandardCharsets.UTF_8));
  }

  /** The file's text. */
  public static String format(List<String> extraColumns, List<Row> rows) {
    Set<String> names = new HashSet<>(HEADER);
    for (String c : extraColumns) {
      if (c == null || c.isEmpty() || !names.add(c)) {
        throw new IllegalArgumentException("extra column name '" + c
            + "' is empty or repeats a column of " + HEADER + " + " + extraColumns);
      }
    }
    StringBuilder sb = new StringBuilder();
    List<String> header = new ArrayList<>(HEADER);
    header.addAll(extraColumns);
    line(sb, header);
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      if (r.extra.length != extraColumns.size()) {
        throw new IllegalArgumentException("row " + i + " (" + r.path + ") has " + r.extra.length
            + " extra values for " + extraColumns.size() + " extra columns " + extraColumns);
      }
      List<String> f = new ArrayList<>(4 + r.extra.length);
      f.add(r.path);
      f.add(r.anomalous ? "1" : "0");
      f.add(r.defect == null ? "" : r.defect);
      f.add(number(r.score));
      for (double v : r.extra) {
        f.add(number(v));
      }
      line(sb, f);
    }
    return sb.toString();
  }

  /** Reads a file written by {@link #write}; rejects a header that does not start as required. */
  public static Table read(Path file) throws IOException {
    return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
  }

  /** Parses the text of a scores file; {@code source} names it in errors. */
  public static Table parse(String text, String source) {
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    List<List<String>> records = records(text, source);
    if (records.isEmpty()) {
      throw new IllegalArgumentException(source + ": empty file, expected header " + HEADER);
    }
    List<String> header = records.get(0);
    if (header.size() < HEADER.size() || !header.subList(0, HEADER.size()).equals(HEADER)) {
      throw new IllegalArgumentException(
          source + ": header " + header + " does not start with " + HEADER);
    }
    List<String> extra = header.subList(HEADER.size(), header.size());
    List<Row> rows = new ArrayList<>(records.size() - 1);
    for (int i = 1; i < records.size(); i++) {
      List<String> f = records.get(i);
      if (f.size() != header.size()) {
        throw new IllegalArgumentException(source + ": record " + i + " has " + f.size()
            + " fields, header has " + header.size());
      }
      boolean anomalous = switch (f.get(1)) {
        case "1" -> true;
        case "0" -> false;
        default -> throw new IllegalArgumentException(
            source + ": record " + i + " has label '" + f.get(1) + "', expected 0 or 1");
      };
      double[] ex = new double[extra.size()];
      for (int k = 0; k < ex.length; k++) {
        ex[k] = parseNumber(f.get(HEADER.size() + k), source, i);
      }
      rows.add(new Row(f.get(0), anomalous, f.get(2), parseNumber(f.get(3), source, i), ex));
    }
    return new Table(extra, rows);
  }

  /** A field as RFC 4180 writes it: quoted when it holds , " CR LF or edge spaces. */
  static String quote(String field) {
    boolean needs = field.indexOf(',') >= 0 || field.indexOf('"') >= 0
        || field.indexOf('\n') >= 0 || field.indexOf('\r') >= 0
        || (!field.isEmpty() && (field.charAt(0) == ' ' || field.charAt(field.length() - 1) == ' '));
    return needs ? '"' + field.replace("\"", "\"\"") + '"' : field;
  }

  private static void line(StringBuilder sb, List<String> fields) {
    for (int i = 0; i < fields.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(quote(fields.get(i)));
    }
    sb.append('\n');
  }

  private static String number(double v) {
    if (Double.isNaN(v)) {
      return "";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "inf" : "-inf";
    }
    return Double.toString(v);
  }

  private static double parseNumber(String s, String source, int record) {
    switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "", "nan":
        return Double.NaN;
      case "inf", "+inf", "infinity":
        return Double.POSITIVE_INFINITY;
      case "-inf", "-infinity":
        return Double.NEGATIVE_INFINITY;
      default:
        try {
          return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              source + ": record " + record + " has '" + s + "' where a number belongs", e);
        }
    }
  }

  /** Splits RFC 4180 text into records of fields (quoted fields may hold line breaks). */
  private static List<List<String>> records(String text, String source) {
    List<List<String>> out = new ArrayList<>();
    List<String> fields = new ArrayList<>();
    StringBuilder f = new StringBuilder();
    int i = 0;
    int n = text.length();
    boolean any = false;
    while (i < n) {
      char c = text.charAt(i);
      if (c == '"' && f.length() == 0) {
        i++;
        while (true) {
          if (i >= n) {
            throw new IllegalArgumentException(source + ": unterminated quoted field");
          }
          char q = text.charAt(i++);
          if (q == '"') {
            if (i < n && text.charAt(i) == '"') {
              f.append('"');
              i++;
            } else {
              break;
            }
          } else {
            f.append(q);
          }
        }
        any = true;
        continue;
      }
      if (c == ',') {
        fields.add(f.toString());
        f.setLength(0);
        any = true;
        i++;
      } else if (c == '\r' || c == '\n') {
        if (any || f.length() > 0 || !fields.isEmpty()) {
          fields.add(f.toString());
          out.add(fields);
          fields = new ArrayList<>();
          f.setLength(0);
          any = false;
        }
        i += c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n' ? 2 : 1;
      } else {
        f.append(c);
        any = true;
        i++;
      }
    }
    if (any || f.length() > 0 || !fields.isEmpty()) {
      fields.add(f.toString());
      out.add(fields);
    }
    return out;
  }
}
