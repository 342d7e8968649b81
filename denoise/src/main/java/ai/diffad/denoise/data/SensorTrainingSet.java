package ai.diffad.denoise.data;

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
 * Sensor training data: windows of length L (stride S) cut from one or more series files and
 * normalised with per-channel statistics pooled over all of them. Items are (C, 1, L): height 1,
 * width L, as {@link TrainingSet} lays out one-dimensional data. The statistics must be stored with
 * the model ({@link #stats()}) so that scoring normalises the same way.
 */
public final class SensorTrainingSet implements TrainingSet {
  /** File endings read as series. */
  public static final List<String> SERIES_ENDINGS = List.of(".csv", ".json", ".npy");

  private final List<float[]> windows;
  private final int channels;
  private final int window;
  private final SensorStats stats;
  private final String description;

  private SensorTrainingSet(List<float[]> windows, int channels, int window, SensorStats stats,
      String description) {
    this.windows = List.copyOf(windows);
    this.channels = channels;
    this.window = window;
    this.stats = stats;
    this.description = description;
  }

  /**
   * Reads every series file below {@code path} (recursive; or {@code path} itself if it is a file)
   * and cuts it into windows. Training data must be clean: any file the reader would reject fails
   * the whole load, naming the file and the reason.
   *
   * @param channels the value columns every series must have (data.channels)
   * @param window window length L (data.size)
   * @param stride window stride S (data.stride)
   * @param maxValues per-file cap on values (engine.maxSensorValues)
   * @throws IOException if there are no series, a file is rejected, or channels differ
   */
  public static SensorTrainingSet load(Path path, int channels, int window, int stride,
      long maxValues) throws IOException {
    List<Path> files = seriesFiles(path);
    if (files.isEmpty()) {
      throw new IOException(path + " holds no series files (" + String.join(", ", SERIES_ENDINGS)
          + ")");
    }
    SensorReader reader = new SensorReader(maxValues, window);
    List<SensorSeries> series = new ArrayList<>(files.size());
    for (Path f : files) {
      SensorSeries s;
      try {
        s = reader.read(f);
        s.requireChannels(channels);
      } catch (RejectedInputException e) {
        throw new IOException(f + ": " + e.reason() + ": " + e.detail() + " (data.channels="
            + channels + ", data.size=" + window + ")", e);
      }
      series.add(s);
    }
    SensorStats stats = SensorStats.of(series);
    List<float[]> items = new ArrayList<>();
    for (int i = 0; i < series.size(); i++) {
      try {
        items.addAll(Windows.cut(series.get(i), window, stride, stats).windows());
      } catch (RejectedInputException e) { // checked above; kept for the compiler
        throw new IOException(files.get(i) + ": " + e.detail(), e);
      }
    }
    return new SensorTrainingSet(items, channels, window, stats, path.toString());
  }

  /** The series files below a folder (recursive, sorted), or the file itself. */
  public static List<Path> seriesFiles(Path path) throws IOException {
    if (Files.isRegularFile(path)) {
      return List.of(path);
    }
    if (!Files.isDirectory(path)) {
      throw new IOException(path + " is neither a series file nor a folder");
    }
    try (Stream<Path> s = Files.walk(path)) {
      return s.filter(Files::isRegularFile)
          .filter(p -> {
            String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
            return SERIES_ENDINGS.stream().anyMatch(n::endsWith);
          })
          .sorted()
          .toList();
    }
  }

  /** Per-channel mean of the training series; the trainer stores it in model.json. */
  @Override
  public double[] channelMean() {
    return stats().mean().clone();
  }

  /** Per-channel standard deviation of the training series; stored in model.json. */
  @Override
  public double[] channelStd() {
    return stats().std().clone();
  }

  /** The per-channel statistics the windows were normalised with (stored in the model). */
  public SensorStats stats() {
    return stats;
  }

  /** Window length L. */
  public int window() {
    return window;
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
