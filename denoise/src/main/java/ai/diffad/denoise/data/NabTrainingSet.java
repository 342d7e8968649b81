package ai.diffad.denoise.data;

import ai.diffad.config.SeriesContext;
import ai.diffad.denoise.io.DailyContext;
import ai.diffad.denoise.io.SensorReader;
import ai.diffad.denoise.io.SensorSeries;
import ai.diffad.denoise.io.SensorStats;
import ai.diffad.denoise.io.Windows;
import ai.diffad.denoise.record.RejectedInputException;
import ai.diffad.model.train.TrainingSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Training data for one shared 1-D model over a Numenta Anomaly Benchmark corpus (data.format
 * nab): every {@code .csv} below {@code data/} (or below the given folder when it has no
 * {@code data/}), of which only the <b>probationary part</b> is read: the first
 * {@link #probationaryRows} rows, the part NAB lets a detector learn from before it scores
 * anything. Each series is normalised by the mean and standard deviation of its own probationary
 * part ({@link #normalise}), then cut into one-channel windows of data.size with stride
 * data.stride. Labels are never read. With data.context daily each window has a second channel,
 * the {@link DailyContext} of its rows.
 *
 * <p>Since each series has its own statistics, the model stores channelMean 0 and channelStd 1
 * ({@link #channelMean}, {@link #channelStd}): whoever scores a series with it must first
 * normalise that series with {@link #normalise}, exactly as training did (the NAB evaluation
 * does).
 */
public final class NabTrainingSet implements TrainingSet {
  /** NAB's probationary fraction of each series. */
  public static final double PROBATION_PERCENT = 0.15;
  /** NAB caps the probationary period at 15 % of 5000 rows. */
  public static final int MAX_PROBATION_ROWS = 750;

  private final List<float[]> windows;
  private final int window;
  private final int channels;
  private final List<Part> parts;
  private final String description;

  /**
   * What one series contributed.
   *
   * @param file the CSV
   * @param rows rows in the whole series
   * @param probationRows rows read (the probationary part)
   * @param mean mean of the probationary part
   * @param std standard deviation of the probationary part (1 for a constant part)
   * @param windows training windows cut from it
   */
  public record Part(Path file, int rows, int probationRows, double mean, double std,
      int windows) {}

  private NabTrainingSet(List<float[]> windows, int window, int channels, List<Part> parts,
      String description) {
    this.windows = List.copyOf(windows);
    this.window = window;
    this.channels = channels;
    this.parts = List.copyOf(parts);
    this.description = description;
  }

  /**
   * NAB's probationary period of a series of {@code rows} rows: {@code min(floor(0.15 rows), 750)}
   * (nab/scorer.py, probationPercent 0.15 of at most 5000 rows). Row i is scored when
   * {@code i >= probationaryRows(rows)}.
   */
  public static int probationaryRows(int rows) {
    return (int) Math.min(Math.floor(PROBATION_PERCENT * rows), MAX_PROBATION_ROWS);
  }

  /**
   * Mean and population standard deviation of the probationary part of {@code values} (std 1 when
   * that part is constant, so it normalises to 0).
   */
  public static SensorStats probationStats(double[] values) {
    int p = probationaryRows(values.length);
    if (p < 1) {
      throw new IllegalArgumentException("a series of " + values.length
          + " rows has no probationary part");
    }
    double shift = values[0];
    double sum = 0;
    double sumSq = 0;
    for (int i = 0; i < p; i++) {
      double d = values[i] - shift;
      sum += d;
      sumSq += d * d;
    }
    double m = sum / p;
    double sd = Math.sqrt(Math.max(0, sumSq / p - m * m));
    return new SensorStats(new double[] {shift + m},
        new double[] {sd < SensorStats.MIN_STD ? 1.0 : sd});
  }

  /** The whole series normalised by its probationary statistics ({@link #probationStats}). */
  public static float[] normalise(double[] values) {
    SensorStats s = probationStats(values);
    double m = s.mean()[0];
    double inv = 1.0 / s.std()[0];
    float[] out = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (float) ((values[i] - m) * inv);
    }
    return out;
  }

  /**
   * Reads the probationary parts of a NAB corpus.
   *
   * @param root the corpus (holding {@code data/}) or a folder of series CSVs
   * @param window window length L (data.size)
   * @param stride window stride S (data.stride)
   * @param maxValues per-file cap on values (engine.maxSensorValues)
   * @param context data.context: with {@code daily}, each window has a second channel, the
   *     {@link DailyContext} of its rows (built from the probationary part only), and windows start
   *     one day into probation when it is long enough, so that their context is never empty
   * @throws IOException if there are no CSVs, a file is unusable or has more than one value
   *     column, a probationary part is shorter than one window, or a daily context has no
   *     timestamps to come from
   */
  public static NabTrainingSet load(Path root, int window, int stride, long maxValues,
      SeriesContext context) throws IOException {
    Path data = Files.isDirectory(root.resolve("data")) ? root.resolve("data") : root;
    List<Path> files;
    if (Files.isRegularFile(data)) {
      files = List.of(data);
    } else if (Files.isDirectory(data)) {
      try (Stream<Path> s = Files.walk(data)) {
        files = s.filter(Files::isRegularFile)
            .filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv"))
            .sorted()
            .toList();
      }
    } else {
      throw new IOException("--data: " + root + " is neither a NAB corpus nor a folder of CSVs");
    }
    if (files.isEmpty()) {
      throw new IOException(data + " holds no .csv series (data.format nab expects "
          + "data/<group>/<series>.csv)");
    }
    SensorReader reader = new SensorReader(maxValues, 1);
    List<float[]> items = new ArrayList<>();
    List<Part> parts = new ArrayList<>();
    for (Path f : files) {
      SensorSeries s;
      try {
        s = reader.read(f);
        s.requireChannels(1);
      } catch (RejectedInputException e) {
        throw new IOException(f + ": " + e.reason() + ": " + e.detail()
            + " (data.format nab: timestamp,value files)", e);
      }
      double[] values = new double[s.length()];
      for (int i = 0; i < values.length; i++) {
        values[i] = s.values()[i];
      }
      int p = probationaryRows(values.length);
      if (p < window) {
        throw new IOException(f + ": the probationary part has " + p + " rows (15 % of "
            + values.length + "), fewer than one window of data.size=" + window);
      }
      SensorStats stats = probationStats(values);
      float[] norm = normalise(values);
      float[] head = java.util.Arrays.copyOf(norm, p);
      if (context == SeriesContext.NONE) {
        Windows w;
        try {
          w = Windows.cut(new SensorSeries(head, 1, p, null), window, stride,
              new SensorStats(new double[] {0}, new double[] {1}));
        } catch (RejectedInputException e) { // length checked above
          throw new IOException(f + ": " + e.detail(), e);
        }
        items.addAll(w.windows());
        parts.add(new Part(f, values.length, p, stats.mean()[0], stats.std()[0], w.count()));
        continue;
      }
      int perDay;
      try {
        perDay = s.timestamps() == null ? 0 : DailyContext.rowsPerDay(s.timestamps());
      } catch (RejectedInputException e) {
        throw new IOException(f + ": " + e.detail(), e);
      }
      if (perDay == 0) {
        throw new IOException(f + ": no timestamp column; data.context "
            + context.spelling() + " builds its channel from the timestamps");
      }
      float[] withContext = DailyContext.append(head, 1, p, perDay);
      // Windows whose context rows all have an earlier day, when probation holds enough of them
      // (8 strides): else from the first row, as without context.
      int first = perDay + window - 1 <= p - 1 - 8 * stride ? perDay + window - 1 : window - 1;
      int count = 0;
      for (int e = first; e < p; e += stride) {
        items.add(Windows.rows(withContext, 2, e - window + 1, e + 1));
        count++;
      }
      parts.add(new Part(f, values.length, p, stats.mean()[0], stats.std()[0], count));
    }
    int channels = 1 + context.channels(1);
    return new NabTrainingSet(items, window, channels, parts, root + " (nab: probationary parts of "
        + files.size() + " series" + (context == SeriesContext.NONE ? ")"
            : ", with " + context.spelling() + " context)"));
  }

  /** What each series contributed, in file order. */
  public List<Part> parts() {
    return parts;
  }

  /** Window length L. */
  public int window() {
    return window;
  }

  /**
   * 0 per channel: each series was normalised by its own probationary mean before windowing (the
   * context is built from the normalised values).
   */
  @Override
  public double[] channelMean() {
    return new double[channels];
  }

  /** 1 per channel: each series was divided by its own probationary standard deviation. */
  @Override
  public double[] channelStd() {
    double[] one = new double[channels];
    java.util.Arrays.fill(one, 1.0);
    return one;
  }

  @Override
  public int size() {
    return windows.size();
  }

  @Override
  public int channels() {
    return channels;
  }

  @Override
  public int height(int i) {
    return 1;
  }

  @Override
  public int width(int i) {
    return window;
  }

  @Override
  public float[] item(int i) {
    return windows.get(i);
  }

  @Override
  public String description() {
    return description;
  }
}
