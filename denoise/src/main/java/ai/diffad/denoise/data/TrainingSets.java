package ai.diffad.denoise.data;

import ai.diffad.config.DataConfig;
import ai.diffad.config.DataFormat;
import ai.diffad.denoise.io.Images;
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
   * {@code train/good}), or MNIST idx files.
   *
   * @throws IOException if the path does not hold data of the configured format
   */
  public static InMemoryTrainingSet open(DataConfig data, Path path) throws IOException {
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
      case SENSOR -> throw new IOException(
          "--data: sensor training data are not supported yet (data.format sensor)");
    };
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

  private static InMemoryTrainingSet images(DataConfig data, Path dir) throws IOException {
    List<Path> files = imageFiles(dir);
    if (files.isEmpty()) {
      throw new IOException(dir + " holds no images (" + String.join(", ", IMAGE_ENDINGS) + ")");
    }
    List<InMemoryTrainingSet.Item> items = new ArrayList<>(files.size());
    for (Path f : files) {
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
