package ai.diffad.denoise.run;

import ai.diffad.denoise.data.TrainingSets;
import ai.diffad.denoise.io.SensorReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Expands command-line inputs into files: a file stands for itself, a folder for every image or
 * sensor file below it (recursively, sorted). Each file keeps the root it was found under, so
 * outputs can mirror the input tree.
 */
public final class InputFiles {
  private InputFiles() {}

  /**
   * One input file.
   *
   * @param file the file
   * @param relative its path relative to the folder argument it was found in (its name for a file
   *     argument)
   */
  public record Input(Path file, Path relative) {
    /** The record id: the path as the user named it. */
    public String id() {
      return file.toString();
    }
  }

  /** Whether a file name looks like an image or a sensor file diffad reads. */
  public static boolean isInputName(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return TrainingSets.IMAGE_ENDINGS.stream().anyMatch(n::endsWith)
        || SensorReader.formatOf(n).isPresent();
  }

  /**
   * Expands the arguments. A file argument is taken whatever its name (so that a bad file is
   * rejected with a reason rather than skipped); a missing path is returned too and is rejected
   * as unreadable when processed.
   */
  public static List<Input> expand(List<Path> args) throws IOException {
    List<Input> out = new ArrayList<>();
    for (Path a : args) {
      if (Files.isDirectory(a)) {
        try (Stream<Path> s = Files.walk(a)) {
          s.filter(Files::isRegularFile)
              .filter(p -> isInputName(p.getFileName().toString()))
              .filter(p -> !p.getFileName().toString().startsWith("."))
              .sorted()
              .forEach(p -> out.add(new Input(p, a.relativize(p))));
        }
      } else {
        out.add(new Input(a, a.getFileName()));
      }
    }
    return out;
  }

  /** {@code relative} with its extension replaced by {@code ext} (e.g. ".png"). */
  public static Path withExtension(Path relative, String ext) {
    String name = relative.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String stem = dot > 0 ? name.substring(0, dot) : name;
    Path parent = relative.getParent();
    return parent == null ? Path.of(stem + ext) : parent.resolve(stem + ext);
  }
}
