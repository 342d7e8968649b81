package ai.diffad.evaluation.data;

import ai.diffad.evaluation.metrics.IndexWindow;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The Numenta Anomaly Benchmark corpus: {@code data/<group>/<series>.csv} (timestamp,value) and
 * {@code labels/combined_windows.json} mapping "group/series.csv" to a list of [start, end]
 * timestamps. Windows become inclusive row ranges: the first row at or after the start to the last
 * row at or before the end (NAB's windows sit exactly on rows, so this is NAB's own matching).
 */
public final class NabDataset {
  /** The label file NAB scores with. */
  public static final String WINDOWS_FILE = "labels/combined_windows.json";

  private NabDataset() {}

  /**
   * One series.
   *
   * @param key "group/name.csv", as in the label file
   * @param timestamps one per row
   * @param values one per row
   * @param windows labelled anomaly windows as row ranges, in time order
   */
  public record NabSeries(String key, LocalDateTime[] timestamps, double[] values,
      List<IndexWindow> windows) {
    /** Number of rows. */
    public int rows() {
      return values.length;
    }
  }

  /** Reads every series under {@code root/data} with windows from {@link #WINDOWS_FILE}. */
  public static List<NabSeries> open(Path root) throws IOException {
    return open(root, root.resolve(WINDOWS_FILE));
  }

  /** Reads every series under {@code root/data} with windows from {@code windowsJson}. */
  public static List<NabSeries> open(Path root, Path windowsJson) throws IOException {
    Path data = root.resolve("data");
    if (!Files.isDirectory(data) || !Files.isRegularFile(windowsJson)) {
      throw new IOException(root + " is not a NAB corpus: needs data/ and " + windowsJson);
    }
    Map<String, Path> csvs = new TreeMap<>();
    try (Stream<Path> s = Files.walk(data)) {
      for (Path p : s.filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().endsWith(".csv")).toList()) {
        csvs.put(data.relativize(p).toString().replace('\\', '/'), p);
      }
    }
    JsonNode labels = new ObjectMapper().readTree(windowsJson.toFile());
    for (Iterator<String> it = labels.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!csvs.containsKey(key)) {
        throw new IOException(windowsJson + " labels '" + key + "' but " + data.resolve(key)
            + " does not exist");
      }
    }
    List<NabSeries> out = new ArrayList<>();
    for (Map.Entry<String, Path> e : csvs.entrySet()) {
      JsonNode w = labels.get(e.getKey());
      if (w == null || !w.isArray()) {
        throw new IOException(windowsJson + " has no window list for '" + e.getKey() + "'");
      }
      out.add(readSeries(e.getKey(), e.getValue(), w));
    }
    return out;
  }

  private static NabSeries readSeries(String key, Path csv, JsonNode windows) throws IOException {
    List<LocalDateTime> ts = new ArrayList<>();
    List<Double> vals = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
      String header = r.readLine();
      if (header == null || !header.trim().startsWith("timestamp")) {
        throw new IOException(csv + ": expected a 'timestamp,value' header, got '" + header + "'");
      }
      String line;
      int row = 1;
      while ((line = r.readLine()) != null) {
        row++;
        if (line.isBlank()) {
          continue;
        }
        int comma = line.indexOf(',');
        try {
          ts.add(Timestamps.parse(line.substring(0, comma)));
          vals.add(Double.parseDouble(line.substring(comma + 1).trim()));
        } catch (RuntimeException ex) {
          throw new IOException(csv + " line " + row + ": cannot parse '" + line + "'", ex);
        }
      }
    }
    LocalDateTime[] t = ts.toArray(new LocalDateTime[0]);
    double[] v = new double[vals.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = vals.get(i);
    }
    List<IndexWindow> ws = new ArrayList<>();
    for (JsonNode pair : windows) {
      LocalDateTime start = Timestamps.parse(pair.get(0).asText());
      LocalDateTime end = Timestamps.parse(pair.get(1).asText());
      int s = 0;
      while (s < t.length && t[s].isBefore(start)) {
        s++;
      }
      int e = t.length - 1;
      while (e >= 0 && t[e].isAfter(end)) {
        e--;
      }
      if (s > e) {
        throw new IOException(key + ": window [" + start + ", " + end + "] holds no rows");
      }
      ws.add(new IndexWindow(s, e));
    }
    return new NabSeries(key, t, v, List.copyOf(ws));
  }
}
