package ai.diffad.denoise.data;

import ai.diffad.config.DataConfig;
import ai.diffad.config.EngineConfig;
import ai.diffad.config.DataFormat;
import ai.diffad.denoise.io.Images;
import ai.diffad.model.train.TrainingSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** Opens the training data that a profile's {@link DataConfig} describes. */
public final class TrainingSets {
  private TrainingSets() {}

  /** File endings read as images. */
  public static final List<String> IMAGE_ENDINGS =
      List.of(".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff");

  /**
   * Loads training items from {@code path}: an image folder (recursive), an MVTec category (its
   * {@code train/good}), MNIST idx files, sensor series (see {@link #openSensor}), or the
   * probationary parts of a NAB corpus ({@link NabTrainingSet}).
   *
   * @throws IOException if the path does not hold data of the configured format
   */
  public static TrainingSet open(DataConfig data, Path path) throws IOException {
    if (!Files.exists(path)) {
      throw new IOException("--data: " + path + " does not exist");
    }
    DataFormat format = data.format();
    return switch (format) {
      case MNIST_IDX -> MnistIdx.load(path, data.padTo());
      case MVTEC -> images(data, path.resolve("train").resolve("good"));
      case IMAGES -> images(data,
          Files.isDirectory(path.resolve("train").resolve("good"))
              ? path.resolve("train").resolve("good") : path);
      case SENSOR -> openSensor(data, path, EngineConfig.defaults().maxSensorValues());
      case NAB -> NabTrainingSet.load(path, data.size(), data.stride(),
          EngineConfig.defaults().maxSensorValues(), data.context());
    };
  }

  /**
   * Loads sensor training windows: every .csv/.json/.npy below {@code path} (or the file itself),
   * windows of data.size with stride data.stride, normalised with statistics over all files. The
   * caller stores {@link SensorTrainingSet#stats()} with the model.
   *
   * @param maxValues per-file cap on values (engine.maxSensorValues)
   * @throws IOException if the path holds no series or a file is unusable
   */
  public static SensorTrainingSet openSensor(DataConfig data, Path path, long maxValues)
      throws IOException {
    if (!Files.exists(path)) {
      throw new IOException("--data: " + path + " does not exist");
    }
    if (data.format() != DataFormat.SENSOR) {
      throw new IOException("data.format is " + data.format().spelling() + ", not sensor");
    }
    return SensorTrainingSet.load(path, data.channels(), data.size(), data.stride(), maxValues);
  }

  /** The image files below a folder, sorted, recursively. */
  public static List<Path> imageFiles(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException(dir + " is not a folder of images");
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile)
          .filter(p -> {
            String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
            return IMAGE_ENDINGS.stream().anyMatch(n::endsWith);
          })
          .sorted()
          .toList();
    }
  }

  /**
   * The foreign textures of a detector's {@code texture} source: every image below {@code dir},
   * read with the model's channels at its own resolution.
   *
   * @param minSize the training crop side; every texture must be at least this large
   * @throws IOException if the folder holds no images or one is too small
   */
  public static TrainingSet textures(Path dir, int channels, int minSize) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException("detector.textures: " + dir + " is not a folder of images");
    }
    return images(new DataConfig(DataFormat.IMAGES, channels, minSize, 0, false, false, null, null),
        dir);
  }

  private static InMemoryTrainingSet images(DataConfig data, Path dir) throws IOException {
    List<Path> files = imageFiles(dir);
    if (files.isEmpty()) {
      throw new IOException(dir + " holds no images (" + String.join(", ", IMAGE_ENDINGS) + ")");
    }
    List<InMemoryTrainingSet.Item> items = new ArrayList<>(files.size());
    for (int i = 0; i < files.size(); i++) {
      if (data.heldOut(i)) {
        continue; // kept for calibration on unseen normal images (data.holdout)
      }
      Path f = files.get(i);
      Images.Planar p = Images.read(f, data.channels(), data.resize());
      if (p.height() < data.size() || p.width() < data.size()) {
        throw new IOException(f + ": " + p.width() + "x" + p.height()
            + " is smaller than the training crop data.size=" + data.size());
      }
      items.add(new InMemoryTrainingSet.Item(p.data(), p.height(), p.width(), -1));
    }
    return new InMemoryTrainingSet(items, data.channels(), dir.toString());
  }
}
