package ai.diffad.evaluation.report;

import ai.diffad.denoise.io.ImageEncoder;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A self-contained {@code report.html}: inline CSS, no scripts, images referenced by relative path
 * (the PNGs sit next to the report). Sections appear in the order they are added:
 *
 * <pre>{@code
 * ReportHtml.titled("diffad evaluate: mvtec/bottle")
 *     .paragraph("Model " + fingerprint + ", 83 test images.")
 *     .metrics("Image-level detection", new ReportHtml.MetricsTable()
 *         .column("image_auroc", "Image AUROC")
 *         .column("f1_max", "F1-max", "oracle: threshold chosen on test labels")
 *         .column("f1_calibrated", "F1 at calibrated threshold",
 *             "threshold fitted on held-out normal images only")
 *         .row("diffad", Map.of("image_auroc", 0.981, "f1_max", 0.95, "f1_calibrated", 0.91))
 *         .row("z-score baseline", Map.of("image_auroc", 0.702)))
 *     .keyValues("Configuration", configMap)
 *     .table("Denoising", List.of("sigma", "set", "noisy", "NLM", "diffad"), rows)
 *     .image("ROC", "roc.png", "Image-level ROC of each method")
 *     .write(outDir.resolve("report.html"));
 * }</pre>
 *
 * <p>Metric values are shown with 3 decimals, missing or NaN values as {@code n/a}. Every piece of
 * text is HTML-escaped.
 */
public final class ReportHtml {
  private static final System.Logger LOG = System.getLogger(ReportHtml.class.getName());

  /** What a missing, null or NaN value is shown as. */
  public static final String MISSING = "n/a";

  private final String title;
  private final List<String> sections = new ArrayList<>();
  private final List<String> images = new ArrayList<>();

  private ReportHtml(String title) {
    this.title = Objects.requireNonNull(title, "title");
  }

  /** A report with this page title and top heading. */
  public static ReportHtml titled(String title) {
    return new ReportHtml(title);
  }

  // ---------------------------------------------------------------- sections

  /** A second-level heading on its own. */
  public ReportHtml heading(String text) {
    sections.add("<h2>" + escape(text) + "</h2>\n");
    return this;
  }

  /** A paragraph of plain text. */
  public ReportHtml paragraph(String text) {
    sections.add("<p>" + escape(text) + "</p>\n");
    return this;
  }

  /**
   * A metrics table: one row per method, one column per metric, values with 3 decimals, column and
   * row footnotes listed under the table.
   */
  public ReportHtml metrics(String title, MetricsTable table) {
    StringBuilder sb = new StringBuilder();
    sb.append("<section>\n<h2>").append(escape(title)).append("</h2>\n");
    List<String> notes = new ArrayList<>();
    sb.append("<table class=\"metrics\">\n<thead><tr><th>method</th>");
    for (Column c : table.columns) {
      sb.append("<th>").append(escape(c.label())).append(mark(c.footnote(), notes))
          .append("</th>");
    }
    sb.append("</tr></thead>\n<tbody>\n");
    for (MetricRow r : table.rows) {
      sb.append("<tr><th scope=\"row\">").append(escape(r.method()))
          .append(mark(r.footnote(), notes)).append("</th>");
      for (Column c : table.columns) {
        sb.append("<td>").append(escape(fixed(r.values().get(c.key())))).append("</td>");
      }
      sb.append("</tr>\n");
    }
    sb.append("</tbody>\n</table>\n");
    for (String n : table.notes) {
      mark(n, notes);
    }
    notes(sb, notes);
    sb.append("</section>\n");
    sections.add(sb.toString());
    return this;
  }

  /**
   * A two-column table of settings (configuration, timings, model fingerprint, threshold and its
   * source). Nested maps are flattened to dotted keys; numbers are written in full, not rounded.
   */
  public ReportHtml keyValues(String title, Map<String, ?> entries) {
    Map<String, Object> flat = new LinkedHashMap<>();
    flatten("", entries, flat);
    StringBuilder sb = new StringBuilder();
    sb.append("<section>\n<h2>").append(escape(title)).append("</h2>\n");
    sb.append("<table class=\"kv\">\n<tbody>\n");
    for (Map.Entry<String, Object> e : flat.entrySet()) {
      sb.append("<tr><th scope=\"row\">").append(escape(e.getKey())).append("</th><td>")
          .append(escape(plain(e.getValue()))).append("</td></tr>\n");
    }
    sb.append("</tbody>\n</table>\n</section>\n");
    sections.add(sb.toString());
    return this;
  }

  /**
   * A generic table (e.g. PSNR/SSIM: rows = sigma x set, columns = methods). Floating-point cells
   * are shown with 3 decimals, integers as they are, null/NaN as {@code n/a}, anything else by its
   * {@code toString()}.
   */
  public ReportHtml table(String title, List<String> headers, List<? extends List<?>> rows) {
    return table(title, headers, rows, null);
  }

  /** {@link #table(String, List, List)} with a note printed under it (null for none). */
  public ReportHtml table(String title, List<String> headers, List<? extends List<?>> rows,
      String note) {
    StringBuilder sb = new StringBuilder();
    sb.append("<section>\n<h2>").append(escape(title)).append("</h2>\n");
    sb.append("<table>\n<thead><tr>");
    for (String h : headers) {
      sb.append("<th>").append(escape(h)).append("</th>");
    }
    sb.append("</tr></thead>\n<tbody>\n");
    for (int i = 0; i < rows.size(); i++) {
      List<?> r = rows.get(i);
      if (r.size() != headers.size()) {
        throw new IllegalArgumentException(title + ": row " + i + " has " + r.size()
            + " cells for " + headers.size() + " headers");
      }
      sb.append("<tr>");
      for (Object v : r) {
        sb.append(v instanceof Number ? "<td>" : "<td class=\"text\">")
            .append(escape(cell(v))).append("</td>");
      }
      sb.append("</tr>\n");
    }
    sb.append("</tbody>\n</table>\n");
    if (note != null) {
      sb.append("<p class=\"note\">").append(escape(note)).append("</p>\n");
    }
    sb.append("</section>\n");
    sections.add(sb.toString());
    return this;
  }

  /**
   * One image (a PNG next to the report) with a heading and a caption.
   *
   * @param file path relative to the report's folder, e.g. {@code roc.png} or {@code
   *     heatmaps/top.png}
   * @param caption text under the image, or null
   */
  public ReportHtml image(String title, String file, String caption) {
    return images(title, List.of(new Figure(file, caption)));
  }

  /** Several images side by side under one heading (e.g. the ROC and PR plots). */
  public ReportHtml images(String title, List<Figure> figures) {
    StringBuilder sb = new StringBuilder();
    sb.append("<section>\n<h2>").append(escape(title)).append("</h2>\n<div class=\"figures\">\n");
    for (Figure f : figures) {
      images.add(f.file());
      String alt = f.caption() == null ? f.file() : f.caption();
      sb.append("<figure><img src=\"").append(escape(href(f.file()))).append("\" alt=\"")
          .append(escape(alt)).append("\">");
      if (f.caption() != null) {
        sb.append("<figcaption>").append(escape(f.caption())).append("</figcaption>");
      }
      sb.append("</figure>\n");
    }
    sb.append("</div>\n</section>\n");
    sections.add(sb.toString());
    return this;
  }

  // ---------------------------------------------------------------- output

  /** The whole page. */
  public String render() {
    StringBuilder sb = new StringBuilder(4096);
    sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>").append(escape(title)).append("</title>\n<style>\n").append(CSS)
        .append("</style>\n</head>\n<body>\n<h1>").append(escape(title)).append("</h1>\n");
    for (String s : sections) {
      sb.append(s);
    }
    sb.append("</body>\n</html>\n");
    return sb.toString();
  }

  /**
   * Writes the page atomically. Images that do not exist next to it are logged as a warning (the
   * page is still written).
   */
  public void write(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    for (String img : images) {
      if (!Files.exists(dir.resolve(img))) {
        LOG.log(System.Logger.Level.WARNING, "{0} refers to {1}, which does not exist in {2}",
            file.getFileName(), img, dir);
      }
    }
    ImageEncoder.writeAtomically(file, render().getBytes(StandardCharsets.UTF_8));
  }

  // ---------------------------------------------------------------- building blocks

  /**
   * An image and its caption.
   *
   * @param file path relative to the report's folder; no {@code ..}, no absolute path
   * @param caption text under the image, or null
   */
  public record Figure(String file, String caption) {
    /** Checks that the path is relative and stays in the report's folder. */
    public Figure {
      Objects.requireNonNull(file, "file");
      String f = file.replace('\\', '/');
      if (f.isEmpty() || f.startsWith("/") || f.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*")
          || List.of(f.split("/")).contains("..")) {
        throw new IllegalArgumentException("image '" + file
            + "' must be a path relative to the report's folder, without ..");
      }
    }
  }

  /**
   * A metric column.
   *
   * @param key the key of the value in each row's map
   * @param label the header text
   * @param footnote text of a footnote on the header, or null
   */
  public record Column(String key, String label, String footnote) {}

  /**
   * A method's row.
   *
   * @param method the row header (e.g. {@code diffad}, {@code z-score baseline})
   * @param footnote text of a footnote on the method, or null
   * @param values metric key to value (missing keys and NaN are shown as {@code n/a})
   */
  public record MetricRow(String method, String footnote, Map<String, ? extends Number> values) {}

  /** The content of a metrics table, built column by column and row by row. */
  public static final class MetricsTable {
    private final List<Column> columns = new ArrayList<>();
    private final List<MetricRow> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    /** An empty table. */
    public MetricsTable() {}

    /** Adds a column without footnote. */
    public MetricsTable column(String key, String label) {
      return column(key, label, null);
    }

    /** Adds a column whose header carries a footnote (e.g. "oracle: ..."). */
    public MetricsTable column(String key, String label, String footnote) {
      for (Column c : columns) {
        if (c.key().equals(key)) {
          throw new IllegalArgumentException("column '" + key + "' added twice");
        }
      }
      columns.add(new Column(key, label, footnote));
      return this;
    }

    /** Adds a method's row. */
    public MetricsTable row(String method, Map<String, ? extends Number> values) {
      return row(method, null, values);
    }

    /** Adds a method's row whose name carries a footnote. */
    public MetricsTable row(String method, String footnote,
        Map<String, ? extends Number> values) {
      rows.add(new MetricRow(method, footnote, Map.copyOf(values)));
      return this;
    }

    /** Adds a footnote that belongs to no column or row (listed after the others). */
    public MetricsTable note(String text) {
      notes.add(text);
      return this;
    }
  }

  /** HTML-escapes text for element content and quoted attribute values. */
  public static String escape(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }

  /** A metric value with 3 decimals ({@code n/a} for null, NaN). */
  static String fixed(Number v) {
    if (v == null || Double.isNaN(v.doubleValue())) {
      return MISSING;
    }
    if (isIntegral(v)) {
      return v.toString();
    }
    return String.format(Locale.ROOT, "%.3f", v.doubleValue());
  }

  private static String cell(Object v) {
    if (v == null) {
      return MISSING;
    }
    if (v instanceof Number n) {
      return fixed(n);
    }
    return v.toString();
  }

  private static boolean isIntegral(Number v) {
    return v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte
        || v instanceof java.math.BigInteger;
  }

  /** A value of a key-value table, numbers in full. */
  static String plain(Object v) {
    if (v == null) {
      return MISSING;
    }
    if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (Double.isNaN(d)) {
        return MISSING;
      }
      if (Double.isInfinite(d)) {
        return d > 0 ? "inf" : "-inf";
      }
      double a = Math.abs(d);
      if (a == 0 || (a >= 1e-4 && a < 1e12)) {
        return new BigDecimal(v.toString()).stripTrailingZeros().toPlainString();
      }
      return v.toString();
    }
    if (v instanceof Iterable<?> it) {
      List<String> parts = new ArrayList<>();
      for (Object x : it) {
        parts.add(plain(x));
      }
      return String.join(", ", parts);
    }
    if (v instanceof double[] a) {
      List<String> parts = new ArrayList<>();
      for (double x : a) {
        parts.add(plain(x));
      }
      return String.join(", ", parts);
    }
    if (v instanceof int[] a) {
      return java.util.Arrays.toString(a).replaceAll("^\\[|]$", "");
    }
    return v.toString();
  }

  private static void flatten(String prefix, Map<?, ?> m, Map<String, Object> out) {
    for (Map.Entry<?, ?> e : m.entrySet()) {
      String key = prefix.isEmpty() ? String.valueOf(e.getKey()) : prefix + "." + e.getKey();
      if (e.getValue() instanceof Map<?, ?> inner && !inner.isEmpty()) {
        flatten(key, inner, out);
      } else {
        out.put(key, e.getValue());
      }
    }
  }

  /** A superscript footnote number for {@code note} (null: none); equal notes share a number. */
  private static String mark(String note, List<String> notes) {
    if (note == null) {
      return "";
    }
    int i = notes.indexOf(note);
    if (i < 0) {
      notes.add(note);
      i = notes.size() - 1;
    }
    return "<sup>" + (i + 1) + "</sup>";
  }

  private static void notes(StringBuilder sb, List<String> notes) {
    if (notes.isEmpty()) {
      return;
    }
    sb.append("<ol class=\"notes\">\n");
    for (String n : notes) {
      sb.append("<li>").append(escape(n)).append("</li>\n");
    }
    sb.append("</ol>\n");
  }

  /** The file path with every byte outside the URI-safe set percent-encoded. */
  static String href(String file) {
    byte[] bytes = file.replace('\\', '/').getBytes(StandardCharsets.UTF_8);
    StringBuilder sb = new StringBuilder();
    for (byte b : bytes) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
        sb.append((char) c);
      } else {
        sb.append('%').append(String.format(Locale.ROOT, "%02X", c));
      }
    }
    return sb.toString();
  }

  private static final String CSS = """
      body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
        margin: 2em auto; max-width: 1100px; padding: 0 1em; color: #222; line-height: 1.45; }
      h1 { font-size: 1.6em; border-bottom: 2px solid #ddd; padding-bottom: .3em; }
      h2 { font-size: 1.2em; margin-top: 1.8em; }
      table { border-collapse: collapse; margin: .5em 0; font-size: .95em; }
      th, td { border: 1px solid #ccc; padding: .3em .7em; }
      thead th { background: #f2f2f2; }
      td { text-align: right; font-variant-numeric: tabular-nums; }
      td.text, table.kv td { text-align: left; }
      tbody th { text-align: left; font-weight: 600; background: #fafafa; }
      sup { font-size: .7em; color: #555; }
      ol.notes, p.note { font-size: .85em; color: #555; margin-top: .3em; }
      .figures { display: flex; flex-wrap: wrap; gap: 1em; }
      figure { margin: 0; }
      figure img { max-width: 100%; border: 1px solid #eee; }
      figcaption { font-size: .85em; color: #555; margin-top: .2em; }
      """;
}
