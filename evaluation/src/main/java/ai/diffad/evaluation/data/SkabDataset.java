package ai.diffad.evaluation.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The Skoltech Anomaly Benchmark: ';'-separated CSVs with a {@code datetime} column, 8 sensors
 * and, in the labelled files, {@code anomaly} and {@code changepoint} columns (0/1).
 *
 * <p>Protocol (MANIFEST.md, outlier detection): the 34 labelled series in {@code valve1/},
 * {@code valve2/} and {@code other/} are the benchmark; each is fitted on its first
 * {@value #TRAIN_ROWS} rows (normal operation) and scored on the rest; the predictions of all
 * test parts are concatenated and scored as one binary classification (F1, FAR, MAR).
 * {@code anomaly-free/anomaly-free.csv} is normal-only data outside the protocol.
 */
public final class SkabDataset {
  /** Rows of each series used for fitting. */
  public static final int TRAIN_ROWS = 400;
  /** The folders holding the labelled series, in the order they are listed. */
  public static final List<String> LABELLED_FOLDERS = List.of("valve1", "valve2", "other");

  private SkabDataset() {}

  /**
   * One series.
   *
   * @param key "folder/name.csv"
   * @param timestamps one per row
   * @param sensorNames the sensor column names, in file order
   * @param sensors [row][sensor] values
   * @param anomaly per-row anomaly label (all false when the file has no such column)
   * @param changepoint per-row change-point label (all false when absent)
   */
  public record SkabSeries(String key, LocalDateTime[] timestamps, List<String> sensorNames,
      double[][] sensors, boolean[] anomaly, boolean[] changepoint) {
    /** Number of rows. */
    public int rows() {
      return sensors.length;
    }

    /** The fitting part: the first {@value SkabDataset#TRAIN_ROWS} rows. */
    public double[][] trainSensors() {
      return Arrays.copyOfRange(sensors, 0, Math.min(TRAIN_ROWS, rows()));
    }

    /** The scored part: rows from {@value SkabDataset#TRAIN_ROWS} on. */
    public double[][] testSensors() {
      return Arrays.copyOfRange(sensors, Math.min(TRAIN_ROWS, rows()), rows());
    }

    /** Anomaly labels of the scored part. */
    public boolean[] testAnomaly() {
      return Arrays.copyOfRange(anomaly, Math.min(TRAIN_ROWS, rows()), rows());
    }
  }

  /** The 34 labelled series (valve1, valve2, other; files in numeric order). */
  public static List<SkabSeries> labelled(Path root) throws IOException {
    List<SkabSeries> out = new ArrayList<>();
    for (String folder : LABELLED_FOLDERS) {
      Path dir = root.resolve(folder);
      if (!Files.isDirectory(dir)) {
        throw new IOException(root + " is not a SKAB folder: " + dir + " is missing");
      }
      List<Path> files;
      try (Stream<Path> s = Files.list(dir)) {
        files = s.filter(p -> p.getFileName().toString().endsWith(".csv"))
            .sorted(Comparator.comparing(SkabDataset::numericStem)
                .thenComparing(p -> p.getFileName().toString()))
            .toList();
      }
      for (Path f : files) {
        Parsed parsed = read(f, folder + "/" + f.getFileName());
        if (!parsed.hasLabels()) {
          throw new IOException(f + " has no 'anomaly' column");
        }
        out.add(parsed.series());
      }
    }
    return out;
  }

  /** {@code anomaly-free/anomaly-free.csv}: normal operation only, no labels. */
  public static SkabSeries anomalyFree(Path root) throws IOException {
    Path f = root.resolve("anomaly-free").resolve("anomaly-free.csv");
    if (!Files.isRegularFile(f)) {
      throw new IOException(f + " is missing");
    }
    return read(f, "anomaly-free/anomaly-free.csv").series();
  }

  private static long numericStem(Path p) {
    String n = p.getFileName().toString();
    String stem = n.substring(0, n.length() - ".csv".length());
    try {
      return Long.parseLong(stem);
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  private record Parsed(SkabSeries series, boolean hasLabels) {}

  private static Parsed read(Path csv, String key) throws IOException {
    try (BufferedReader r = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
      String headerLine = r.readLine();
      if (headerLine == null) {
        throw new IOException(csv + " is empty");
      }
      String[] header = headerLine.split(";", -1);
      if (!"datetime".equals(header[0].trim())) {
        throw new IOException(csv + ": first column must be 'datetime', got '" + header[0] + "'");
      }
      int anomalyCol = -1;
      int changeCol = -1;
      List<Integer> sensorCols = new ArrayList<>();
      List<String> sensorNames = new ArrayList<>();
      for (int c = 1; c < header.length; c++) {
        String h = header[c].trim();
        if (h.equals("anomaly")) {
          anomalyCol = c;
        } else if (h.equals("changepoint")) {
          changeCol = c;
        } else {
          sensorCols.add(c);
          sensorNames.add(h);
        }
      }
      List<LocalDateTime> ts = new ArrayList<>();
      List<double[]> rows = new ArrayList<>();
      List<Boolean> an = new ArrayList<>();
      List<Boolean> cp = new ArrayList<>();
      String line;
      int lineNo = 1;
      while ((line = r.readLine()) != null) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        String[] f = line.split(";", -1);
        if (f.length != header.length) {
          throw new IOException(csv + " line " + lineNo + ": " + f.length + " fields, header has "
              + header.length);
        }
        try {
          ts.add(Timestamps.parse(f[0]));
          double[] v = new double[sensorCols.size()];
          for (int k = 0; k < v.length; k++) {
            v[k] = Double.parseDouble(f[sensorCols.get(k)]);
          }
          rows.add(v);
          an.add(anomalyCol >= 0 && Double.parseDouble(f[anomalyCol]) != 0.0);
          cp.add(changeCol >= 0 && Double.parseDouble(f[changeCol]) != 0.0);
        } catch (RuntimeException e) {
          throw new IOException(csv + " line " + lineNo + ": cannot parse '" + line + "'", e);
        }
      }
      boolean[] a = new boolean[an.size()];
      boolean[] c = new boolean[cp.size()];
      for (int i = 0; i < a.length; i++) {
        a[i] = an.get(i);
        c[i] = cp.get(i);
      }
      SkabSeries s = new SkabSeries(key, ts.toArray(new LocalDateTime[0]),
          List.copyOf(sensorNames), rows.toArray(new double[0][]), a, c);
      return new Parsed(s, anomalyCol >= 0);
    }
  }
}
