package ai.diffad.denoise.io;

import ai.diffad.config.EngineConfig;
import ai.diffad.denoise.record.RejectReason;
import ai.diffad.denoise.record.RejectedInputException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads sensor series from CSV, JSON arrays and NumPy {@code .npy} files into a {@link
 * SensorSeries}, refusing anything unusable with one {@link RejectedInputException}.
 *
 * <ul>
 *   <li>CSV: separator {@code ,}, {@code ;} or tab, whichever the first row holds most of; a
 *       header row (a first row of only numbers is taken as data); the first column is a
 *       timestamp column when its header is time/timestamp/datetime/date or its first value is not
 *       a number; every other column is a channel of numbers.
 *   <li>JSON: {@code [v, v, ...]} (one channel) or {@code [[v, ...], [v, ...], ...]} (rows =
 *       time steps, columns = channels). NaN and Infinity tokens are read so they can be reported
 *       as non-finite values rather than as syntax errors.
 *   <li>.npy: little-endian float32 or float64, shape (L,) or (L, C), C or Fortran order; the
 *       header is parsed here and the size cap is checked before the data are read.
 * </ul>
 *
 * Instances are immutable and thread-safe.
 */
public final class SensorReader {
  /** The sensor file formats. */
  public enum SensorFormat {
    /** Comma/semicolon/tab separated text with a header row. */
    CSV,
    /** A JSON array of numbers or of equally long number arrays. */
    JSON,
    /** A NumPy array file. */
    NPY
  }

  private static final Set<String> TIME_NAMES = Set.of("time", "timestamp", "datetime", "date");
  private static final byte[] NPY_MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final int PROBE_BYTES = 1 << 16;
  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .build();

  private final long maxValues;
  private final int minLength;

  /**
   * A reader.
   *
   * @param maxValues largest accepted series (channels * length); larger ones are TOO_LARGE
   * @param minLength shortest accepted series (time steps), usually the window length; shorter
   *     ones are TOO_SHORT
   */
  public SensorReader(long maxValues, int minLength) {
    if (maxValues < 1 || minLength < 1) {
      throw new IllegalArgumentException("maxValues and minLength must be >= 1, got "
          + maxValues + ", " + minLength);
    }
    this.maxValues = maxValues;
    this.minLength = minLength;
  }

  /** A reader with the engine's {@link EngineConfig#maxSensorValues()} cap and windows of {@code window}. */
  public static SensorReader of(EngineConfig engine, int window) {
    return new SensorReader(engine.maxSensorValues(), window);
  }

  /** The format a file name's extension names (.csv, .json, .npy), if any. */
  public static Optional<SensorFormat> formatOf(String fileName) {
    String n = fileName.toLowerCase(Locale.ROOT);
    if (n.endsWith(".csv")) {
      return Optional.of(SensorFormat.CSV);
    }
    if (n.endsWith(".json")) {
      return Optional.of(SensorFormat.JSON);
    }
    if (n.endsWith(".npy")) {
      return Optional.of(SensorFormat.NPY);
    }
    return Optional.empty();
  }

  /** Guesses the format from content: the .npy magic, a leading '[' (JSON), else CSV. */
  public static SensorFormat sniff(byte[] bytes) {
    if (startsWith(bytes, NPY_MAGIC)) {
      return SensorFormat.NPY;
    }
    for (byte b : bytes) {
      if (!Character.isWhitespace(b) && b != (byte) 0xEF && b != (byte) 0xBB && b != (byte) 0xBF) {
        return b == '[' ? SensorFormat.JSON : SensorFormat.CSV;
      }
    }
    return SensorFormat.CSV;
  }

  /**
   * Reads a series file; the format comes from the extension, or the content if it has none of
   * .csv/.json/.npy.
   *
   * @throws RejectedInputException UNREADABLE, EMPTY, MALFORMED, NON_FINITE_VALUES,
   *     UNSUPPORTED_SHAPE, TOO_LARGE or TOO_SHORT
   */
  public SensorSeries read(Path file) throws RejectedInputException {
    String id = file.toString();
    if (Files.isDirectory(file)) {
      throw new RejectedInputException(RejectReason.UNREADABLE, id + " is a folder, not a file");
    }
    try {
      long size = Files.size(file);
      if (size == 0) {
        throw new RejectedInputException(RejectReason.EMPTY, "empty file (0 bytes)");
      }
      Optional<SensorFormat> named = formatOf(file.getFileName().toString());
      if (named.orElse(null) == SensorFormat.NPY && size > PROBE_BYTES) {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
          head = in.readNBytes(PROBE_BYTES);
        }
        npyHeader(head); // refuses a too-large or wrongly shaped array before reading it
      }
      if (size > Integer.MAX_VALUE - 16) {
        throw new RejectedInputException(RejectReason.TOO_LARGE,
            "file of " + size + " bytes exceeds the 2 GB a single series may have");
      }
      byte[] bytes = Files.readAllBytes(file);
      return parse(id, bytes, named.orElseGet(() -> sniff(bytes)));
    } catch (NoSuchFileException e) {
      throw new RejectedInputException(RejectReason.UNREADABLE, "no such file: " + id);
    } catch (IOException e) {
      throw new RejectedInputException(RejectReason.UNREADABLE, "cannot read " + id + ": " + e);
    }
  }

  /**
   * Parses a series from bytes.
   *
   * @param id names the input in messages
   * @throws RejectedInputException EMPTY, MALFORMED, NON_FINITE_VALUES, UNSUPPORTED_SHAPE (also
   *     for image data read as CSV), TOO_LARGE or TOO_SHORT
   */
  public SensorSeries parse(String id, byte[] bytes, SensorFormat format)
      throws RejectedInputException {
    if (bytes.length == 0) {
      throw new RejectedInputException(RejectReason.EMPTY, "empty input (0 bytes)");
    }
    if (format == SensorFormat.CSV) {
      // Read as text, an image would be refused for whatever its bytes happen to look like
      // ("no value columns", "line 3 has 5 columns"); say what it is instead.
      Optional<ImageFormat> image = binaryImage(bytes);
      if (image.isPresent()) {
        throw new RejectedInputException(RejectReason.UNSUPPORTED_SHAPE, "a " + image.get()
            + " image, not a series: a sensor model takes CSV, JSON or .npy series");
      }
    }
    SensorSeries s = switch (format) {
      case CSV -> csv(bytes);
      case JSON -> json(bytes);
      case NPY -> npy(bytes);
    };
    if (s.length() < minLength) {
      throw new RejectedInputException(RejectReason.TOO_SHORT, "series has " + s.length()
          + " time steps, fewer than one window of " + minLength);
    }
    return s;
  }

  /**
   * The image format of bytes that start with an image's magic number and are binary (a NUL byte
   * among the first 32, as every image header has); text that merely starts like one (a CSV whose
   * header begins with "BM") is not an image.
   */
  private static Optional<ImageFormat> binaryImage(byte[] bytes) {
    Optional<ImageFormat> f = ImageFormat.sniff(bytes);
    if (f.isPresent()) {
      for (int i = 0; i < Math.min(32, bytes.length); i++) {
        if (bytes[i] == 0) {
          return f;
        }
      }
    }
    return Optional.empty();
  }

  // ---------------------------------------------------------------- CSV

  private SensorSeries csv(byte[] bytes) throws RejectedInputException {
    String text = new String(bytes, StandardCharsets.UTF_8);
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    String[] lines = text.split("\n", -1);
    int first = nextNonBlank(lines, 0);
    if (first < 0) {
      throw new RejectedInputException(RejectReason.EMPTY, "no rows (only blank lines)");
    }
    String firstLine = strip(lines[first]);
    char sep = separator(firstLine);
    List<String> firstCells = split(firstLine, sep);
    boolean headerRow = !firstCells.stream().allMatch(SensorReader::isNumberOrNonFinite);
    int columns = firstCells.size();
    int dataStart = headerRow ? nextNonBlank(lines, first + 1) : first;
    if (dataStart < 0) {
      throw new RejectedInputException(RejectReason.EMPTY, "no data rows after the header");
    }
    List<String> firstData = split(strip(lines[dataStart]), sep);
    boolean timeColumn =
        (headerRow && TIME_NAMES.contains(firstCells.get(0).toLowerCase(Locale.ROOT)))
            || !isNumberOrNonFinite(firstData.get(0));
    int valueStart = timeColumn ? 1 : 0;
    int c = columns - valueStart;
    if (c < 1) {
      throw new RejectedInputException(RejectReason.MALFORMED,
          "no value columns: the only column is the timestamp column");
    }
    String[] names = new String[columns];
    for (int j = 0; j < columns; j++) {
      names[j] = headerRow ? "'" + firstCells.get(j) + "'" : String.valueOf(j + 1);
    }
    FloatList rows = new FloatList();
    List<String> times = timeColumn ? new ArrayList<>() : null;
    int row = 0;
    for (int i = dataStart; i < lines.length; i++) {
      String line = strip(lines[i]);
      if (line.isBlank()) {
        continue;
      }
      int lineNo = i + 1;
      List<String> cells = split(line, sep);
      if (cells.size() != columns) {
        throw new RejectedInputException(RejectReason.MALFORMED, "line " + lineNo + " has "
            + cells.size() + " columns, " + (headerRow ? "the header" : "the first row")
            + " (line " + (first + 1) + ") has " + columns);
      }
      if ((long) (row + 1) * c > maxValues) {
        throw new RejectedInputException(RejectReason.TOO_LARGE, "more than " + maxValues
            + " values (engine.maxSensorValues) at line " + lineNo);
      }
      if (timeColumn) {
        times.add(cells.get(0));
      }
      for (int j = valueStart; j < columns; j++) {
        String cell = cells.get(j);
        String where = "line " + lineNo + " (data row " + (row + 1) + "), column " + names[j];
        if (cell.isEmpty()) {
          throw new RejectedInputException(RejectReason.MALFORMED, where + ": empty value");
        }
        double v;
        if (isNonFiniteToken(cell)) {
          v = Double.NaN;
        } else {
          try {
            v = Double.parseDouble(cell);
          } catch (NumberFormatException e) {
            throw new RejectedInputException(RejectReason.MALFORMED,
                where + ": '" + cell + "' is not a number");
          }
        }
        rows.add(finite(v, where, cell));
      }
      row++;
    }
    return fromRows(rows.toArray(), row, c, times);
  }

  private static int nextNonBlank(String[] lines, int from) {
    for (int i = from; i < lines.length; i++) {
      if (!lines[i].isBlank()) {
        return i;
      }
    }
    return -1;
  }

  private static String strip(String line) {
    return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
  }

  private static char separator(String line) {
    int commas = 0;
    int semis = 0;
    int tabs = 0;
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char ch = line.charAt(i);
      if (ch == '"') {
        quoted = !quoted;
      } else if (!quoted) {
        commas += ch == ',' ? 1 : 0;
        semis += ch == ';' ? 1 : 0;
        tabs += ch == '\t' ? 1 : 0;
      }
    }
    if (semis > commas && semis >= tabs) {
      return ';';
    }
    return tabs > commas ? '\t' : ',';
  }

  /** Splits a CSV line, honouring double quotes ("" is a literal quote); cells are trimmed. */
  private static List<String> split(String line, char sep) {
    List<String> out = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char ch = line.charAt(i);
      if (quoted) {
        if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cell.append('"');
          i++;
        } else if (ch == '"') {
          quoted = false;
        } else {
          cell.append(ch);
        }
      } else if (ch == '"') {
        quoted = true;
      } else if (ch == sep) {
        out.add(cell.toString().trim());
        cell.setLength(0);
      } else {
        cell.append(ch);
      }
    }
    out.add(cell.toString().trim());
    return out;
  }

  private static boolean isNonFiniteToken(String s) {
    String t = s.toLowerCase(Locale.ROOT);
    if (t.startsWith("+") || t.startsWith("-")) {
      t = t.substring(1);
    }
    return t.equals("nan") || t.equals("inf") || t.equals("infinity");
  }

  private static boolean isNumberOrNonFinite(String s) {
    if (isNonFiniteToken(s)) {
      return true;
    }
    try {
      Double.parseDouble(s);
      return !s.isEmpty();
    } catch (NumberFormatException e) {
      return false;
    }
  }

  // ---------------------------------------------------------------- JSON

  private SensorSeries json(byte[] bytes) throws RejectedInputException {
    try (JsonParser p = JSON.createParser(bytes)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        throw new RejectedInputException(RejectReason.EMPTY, "no JSON value (only whitespace)");
      }
      if (t != JsonToken.START_ARRAY) {
        throw new RejectedInputException(RejectReason.MALFORMED,
            "expected a JSON array of numbers or of rows, found " + t.asString() + " at the start");
      }
      FloatList values = new FloatList();
      JsonToken e = p.nextToken();
      if (e == JsonToken.END_ARRAY) {
        throw new RejectedInputException(RejectReason.EMPTY, "empty JSON array");
      }
      int rows;
      int c;
      if (e == JsonToken.START_ARRAY) {
        rows = 0;
        c = -1;
        while (e != JsonToken.END_ARRAY) {
          if (e != JsonToken.START_ARRAY) {
            throw new RejectedInputException(RejectReason.MALFORMED, "row " + rows
                + ": expected an array of numbers, found " + describe(e, p));
          }
          int n = 0;
          for (JsonToken v = p.nextToken(); v != JsonToken.END_ARRAY; v = p.nextToken()) {
            if (v == JsonToken.START_ARRAY) {
              throw new RejectedInputException(RejectReason.UNSUPPORTED_SHAPE,
                  "row " + rows + " holds an array: rank 3 or more; expected [[v, ...], ...]");
            }
            values.add(jsonNumber(p, v, "row " + rows + ", column " + n));
            n++;
            if (values.size() > maxValues) {
              throw tooLarge();
            }
          }
          if (c < 0) {
            c = n;
            if (c == 0) {
              throw new RejectedInputException(RejectReason.MALFORMED, "row 0 is empty");
            }
          } else if (n != c) {
            throw new RejectedInputException(RejectReason.MALFORMED, "row " + rows + " has " + n
                + " values, row 0 has " + c);
          }
          rows++;
          e = p.nextToken();
        }
      } else {
        c = 1;
        rows = 0;
        while (e != JsonToken.END_ARRAY) {
          if (e == JsonToken.START_ARRAY) {
            throw new RejectedInputException(RejectReason.MALFORMED, "element " + rows
                + " is an array but element 0 is a number; mix of [v, ...] and [[...], ...]");
          }
          values.add(jsonNumber(p, e, "element " + rows));
          rows++;
          if (values.size() > maxValues) {
            throw tooLarge();
          }
          e = p.nextToken();
        }
      }
      if (p.nextToken() != null) {
        throw new RejectedInputException(RejectReason.MALFORMED,
            "data after the closing ] at " + location(p));
      }
      return fromRows(values.toArray(), rows, c, null);
    } catch (JsonProcessingException ex) {
      throw new RejectedInputException(RejectReason.MALFORMED,
          "invalid JSON: " + ex.getOriginalMessage() + " at " + location(ex));
    } catch (IOException ex) {
      throw new RejectedInputException(RejectReason.MALFORMED, "invalid JSON: " + ex.getMessage());
    }
  }

  private static float jsonNumber(JsonParser p, JsonToken t, String where)
      throws IOException, RejectedInputException {
    if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
      throw new RejectedInputException(RejectReason.MALFORMED,
          where + ": expected a number, found " + describe(t, p));
    }
    double v = p.getDoubleValue();
    return finite(v, where, p.getText());
  }

  private static String describe(JsonToken t, JsonParser p) throws IOException {
    if (t == null) {
      return "the end of the input";
    }
    return switch (t) {
      case VALUE_STRING -> "the string \"" + p.getText() + "\"";
      case VALUE_NULL -> "null";
      case START_OBJECT -> "an object";
      case VALUE_TRUE, VALUE_FALSE -> p.getText();
      default -> t.asString() == null ? t.name() : t.asString();
    };
  }

  private static String location(JsonParser p) {
    return "line " + p.currentLocation().getLineNr() + ", column "
        + p.currentLocation().getColumnNr();
  }

  private static String location(JsonProcessingException ex) {
    return ex.getLocation() == null ? "unknown position"
        : "line " + ex.getLocation().getLineNr() + ", column " + ex.getLocation().getColumnNr();
  }

  // ---------------------------------------------------------------- NPY

  /** The parsed header of an .npy file. */
  private record NpyHeader(int itemSize, boolean fortran, long[] shape, int dataOffset) {
    /** The product of the (non-negative) dimensions, Long.MAX_VALUE if it overflows. */
    long count() {
      long n = 1;
      for (long d : shape) {
        try {
          n = Math.multiplyExact(n, d);
        } catch (ArithmeticException e) {
          return Long.MAX_VALUE; // (2^62 + 40, 4) must not wrap round to 160 values
        }
      }
      return n;
    }
  }

  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private NpyHeader npyHeader(byte[] b) throws RejectedInputException {
    if (!startsWith(b, NPY_MAGIC) || b.length < 10) {
      throw new RejectedInputException(RejectReason.MALFORMED, "not an .npy file (first bytes "
          + ImageHeaders.firstBytes(b) + ")");
    }
    int major = b[6] & 0xFF;
    long headerLen;
    int start;
    if (major == 1) {
      headerLen = (b[8] & 0xFF) | ((b[9] & 0xFF) << 8);
      start = 10;
    } else if ((major == 2 || major == 3) && b.length >= 12) {
      headerLen = ByteBuffer.wrap(b, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFFFFFFL;
      start = 12;
    } else {
      throw new RejectedInputException(RejectReason.MALFORMED, ".npy format version " + major
          + " is not supported (1, 2 or 3)");
    }
    if (start + headerLen > b.length) {
      throw new RejectedInputException(RejectReason.MALFORMED, ".npy header declares "
          + headerLen + " bytes, only " + (b.length - start) + " present");
    }
    String header = new String(b, start, (int) headerLen,
        major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    Matcher descr = DESCR.matcher(header);
    Matcher fortran = FORTRAN.matcher(header);
    Matcher shape = SHAPE.matcher(header);
    if (!descr.find() || !fortran.find() || !shape.find()) {
      throw new RejectedInputException(RejectReason.MALFORMED,
          ".npy header lacks descr, fortran_order or shape: " + header.trim());
    }
    List<Long> dims = new ArrayList<>();
    for (String part : shape.group(1).split(",")) {
      String d = part.trim();
      if (d.endsWith("L")) {
        d = d.substring(0, d.length() - 1);
      }
      if (!d.isEmpty()) {
        try {
          dims.add(Long.parseLong(d));
        } catch (NumberFormatException e) {
          throw new RejectedInputException(RejectReason.MALFORMED,
              ".npy shape (" + shape.group(1) + ") is not a tuple of integers");
        }
      }
    }
    String shapeText = "(" + shape.group(1).trim() + ")";
    if (dims.size() != 1 && dims.size() != 2) {
      throw new RejectedInputException(RejectReason.UNSUPPORTED_SHAPE, "rank-" + dims.size()
          + " array of shape " + shapeText + "; expected (length,) or (length, channels)");
    }
    if (dims.stream().anyMatch(d -> d < 0)) {
      throw new RejectedInputException(RejectReason.MALFORMED, ".npy shape " + shapeText
          + " has a negative dimension");
    }
    String dtype = descr.group(1);
    int itemSize = switch (dtype) {
      case "<f4" -> 4;
      case "<f8" -> 8;
      default -> throw new RejectedInputException(RejectReason.UNSUPPORTED_SHAPE,
          ".npy dtype '" + dtype + "'; only little-endian float32 ('<f4') or float64 ('<f8')");
    };
    long[] shapeArr = dims.stream().mapToLong(Long::longValue).toArray();
    NpyHeader h = new NpyHeader(itemSize, fortran.group(1).equals("True"), shapeArr,
        (int) (start + headerLen));
    if (h.count() == 0) {
      throw new RejectedInputException(RejectReason.EMPTY, ".npy array of shape " + shapeText
          + " holds no values");
    }
    if (h.count() > maxValues) {
      throw new RejectedInputException(RejectReason.TOO_LARGE, ".npy array of shape " + shapeText
          + " holds " + (h.count() == Long.MAX_VALUE ? "over 2^63" : String.valueOf(h.count()))
          + " values, more than " + maxValues
          + " (engine.maxSensorValues)");
    }
    return h;
  }

  private SensorSeries npy(byte[] b) throws RejectedInputException {
    NpyHeader h = npyHeader(b);
    long n = h.count();
    long need = n * h.itemSize();
    long have = b.length - h.dataOffset();
    if (have < need) {
      throw new RejectedInputException(RejectReason.MALFORMED, ".npy data truncated: shape "
          + Arrays.toString(h.shape()) + " needs " + need + " bytes, " + have + " present");
    }
    int len = (int) h.shape()[0];
    int c = h.shape().length == 2 ? (int) h.shape()[1] : 1;
    ByteBuffer buf = ByteBuffer.wrap(b, h.dataOffset(), (int) need).order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[(int) n];
    for (int i = 0; i < n; i++) {
      double v = h.itemSize() == 4 ? buf.getFloat() : buf.getDouble();
      // C order stores (t, c) at t*C + c; Fortran order stores it at c*L + t (already ours).
      int t = h.fortran() ? i % len : i / c;
      int k = h.fortran() ? i / len : i % c;
      String where = c == 1 ? "index " + t : "row " + t + ", column " + k;
      out[k * len + t] = finite(v, where, Double.toString(v));
    }
    return new SensorSeries(out, c, len, null);
  }

  // ---------------------------------------------------------------- shared

  private RejectedInputException tooLarge() {
    return new RejectedInputException(RejectReason.TOO_LARGE,
        "more than " + maxValues + " values (engine.maxSensorValues)");
  }

  private static float finite(double v, String where, String text) throws RejectedInputException {
    float f = (float) v;
    if (!Double.isFinite(v)) {
      throw new RejectedInputException(RejectReason.NON_FINITE_VALUES, where + ": " + text);
    }
    if (!Float.isFinite(f)) {
      throw new RejectedInputException(RejectReason.NON_FINITE_VALUES,
          where + ": " + text + " overflows float32");
    }
    return f;
  }

  /** Row-major (L, C) values to a channel-major series. */
  private static SensorSeries fromRows(float[] rowMajor, int rows, int c, List<String> times) {
    float[] out = new float[rowMajor.length];
    for (int t = 0; t < rows; t++) {
      for (int k = 0; k < c; k++) {
        out[k * rows + t] = rowMajor[t * c + k];
      }
    }
    return new SensorSeries(out, c, rows, times);
  }

  private static boolean startsWith(byte[] b, byte[] magic) {
    if (b.length < magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if (b[i] != magic[i]) {
        return false;
      }
    }
    return true;
  }

  /** A growable float array. */
  private static final class FloatList {
    private float[] a = new float[1024];
    private int n;

    void add(float v) {
      if (n == a.length) {
        a = Arrays.copyOf(a, a.length * 2);
      }
      a[n++] = v;
    }

    int size() {
      return n;
    }

    float[] toArray() {
      return Arrays.copyOf(a, n);
    }
  }
}
