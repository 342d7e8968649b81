package ai.diffad.evaluation.data;

import ai.diffad.evaluation.data.NabDataset.NabSeries;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A detector's results folder in NAB's layout ({@code results/<detector>/} of numenta/NAB):
 * {@code <group>/<anything>_<series>.csv}, one file per series of the corpus, with a
 * {@code timestamp} and an {@code anomaly_score} column (other columns are ignored), one row per
 * row of the series in the same order. NAB strips the detector's name from the file name; here any
 * prefix ending in '_' is accepted, and a file is matched to the longest series name it ends with
 * (so {@code x_cpu_utilization_5f5533.csv} is not taken for {@code utilization_5f5533.csv}).
 */
public final class NabResults {
  /** The column NAB scores. */
  public static final String SCORE_COLUMN = "anomaly_score";

  private NabResults() {}

  /**
   * The anomaly scores of every series of {@code corpus}, in corpus order.
   *
   * @throws IOException when a series has no file or two, a CSV in a group folder matches no
   *     series, a file lacks the columns, its rows or timestamps differ from the series', or a
   *     score is not a finite number
   */
  public static List<double[]> read(Path dir, List<NabSeries> corpus) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException(dir + " is not a folder");
    }
    Map<String, List<NabSeries>> byGroup = new HashMap<>();
    for (NabSeries s : corpus) {
      byGroup.computeIfAbsent(group(s.key()), g -> new ArrayList<>()).add(s);
    }
    Map<String, Path> files = new HashMap<>();
    for (Map.Entry<String, List<NabSeries>> e : byGroup.entrySet()) {
      Path g = dir.resolve(e.getKey());
      if (!Files.isDirectory(g)) {
        throw new IOException(dir + " has no folder '" + e.getKey() + "' (NAB's layout: "
            + "<group>/<detector>_<series>.csv)");
      }
      List<Path> csvs;
      try (Stream<Path> s = Files.list(g)) {
        csvs = s.filter(Files::isRegularFile)
            .filter(p -> p.getFileName().toString().endsWith(".csv")).sorted().toList();
      }
      for (Path p : csvs) {
        String file = p.getFileName().toString();
        NabSeries match = null;
        for (NabSeries s : e.getValue()) {
          String name = name(s.key());
          if ((file.equals(name) || file.endsWith("_" + name))
              && (match == null || name.length() > name(match.key()).length())) {
            match = s;
          }
        }
        if (match == null) {
          throw new IOException(p + " matches no series of group " + e.getKey());
        }
        Path before = files.put(match.key(), p);
        if (before != null) {
          throw new IOException("two results files for " + match.key() + ": " + before + " and "
              + p);
        }
      }
    }
    List<double[]> out = new ArrayList<>(corpus.size());
    for (NabSeries s : corpus) {
      Path p = files.get(s.key());
      if (p == null) {
        throw new IOException(dir + " has no results file for " + s.key() + " (expected "
            + group(s.key()) + "/<detector>_" + name(s.key()) + ")");
      }
      out.add(readScores(p, s));
    }
    return out;
  }

  private static String group(String key) {
    int slash = key.lastIndexOf('/');
    return slash < 0 ? "" : key.substring(0, slash);
  }

  private static String name(String key) {
    return key.substring(key.lastIndexOf('/') + 1);
  }

  private static double[] readScores(Path csv, NabSeries s) throws IOException {
    double[] scores = new double[s.rows()];
    LocalDateTime[] ts = s.timestamps();
    try (BufferedReader r = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
      String header = r.readLine();
      if (header == null) {
        throw new IOException(csv + " is empty");
      }
      List<String> cols = List.of(header.trim().split(",", -1));
      int tCol = cols.indexOf("timestamp");
      int sCol = cols.indexOf(SCORE_COLUMN);
      if (tCol < 0 || sCol < 0) {
        throw new IOException(csv + ": needs 'timestamp' and '" + SCORE_COLUMN
            + "' columns, has " + cols);
      }
      String line;
      int row = 0;
      while ((line = r.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        if (row >= scores.length) {
          throw new IOException(csv + " has more rows than " + s.key() + " (" + s.rows() + ")");
        }
        String[] f = line.split(",", -1);
        if (f.length <= Math.max(tCol, sCol)) {
          throw new IOException(csv + " line " + (row + 2) + ": too few columns: '" + line + "'");
        }
        LocalDateTime t;
        double v;
        try {
          t = Timestamps.parse(f[tCol]);
          v = Double.parseDouble(f[sCol].trim());
        } catch (RuntimeException ex) {
          throw new IOException(csv + " line " + (row + 2) + ": cannot parse '" + line + "'", ex);
        }
        if (!t.equals(ts[row])) {
          throw new IOException(csv + " line " + (row + 2) + ": timestamp " + t + ", but row "
              + row + " of " + s.key() + " is at " + ts[row]);
        }
        if (!Double.isFinite(v)) {
          throw new IOException(csv + " line " + (row + 2) + ": " + SCORE_COLUMN + " is " + v);
        }
        scores[row++] = v;
      }
      if (row != scores.length) {
        throw new IOException(csv + " has " + row + " rows, " + s.key() + " has " + s.rows());
      }
    }
    return scores;
  }
}
