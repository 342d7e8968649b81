package ai.diffad.denoise.calibrate;

import ai.diffad.model.artifact.ArtifactException;
import ai.diffad.model.artifact.VersionedJson;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads and writes {@code calibration.json} in a model directory. Writes go to a temporary file
 * in the same directory that is then moved over the old file atomically, so a reader never sees a
 * half-written calibration. Errors are {@link ArtifactException}s naming the file.
 */
public final class CalibrationStore {
  /** The file name inside the model directory. */
  public static final String FILE = "calibration.json";

  private CalibrationStore() {}

  /**
   * Writes (or replaces) the model's calibration.
   *
   * @param modelDir the model directory (must exist)
   * @param calibration what to write
   * @return the file written
   * @throws ArtifactException if the file cannot be written
   */
  public static Path write(Path modelDir, Calibration calibration) {
    Objects.requireNonNull(calibration, "calibration");
    Path file = modelDir.resolve(FILE);
    Path tmp = null;
    try {
      // A unique temporary name, so that two concurrent writers cannot interleave in one file.
      tmp = modelDir.resolve(FILE + "." + java.util.UUID.randomUUID() + ".tmp");
      Files.writeString(tmp, mapper().writeValueAsString(calibration) + "\n");
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      try {
        if (tmp != null) {
          Files.deleteIfExists(tmp);
        }
      } catch (IOException ignored) {
        // The write error below is the one that matters.
      }
      throw new ArtifactException(file, "cannot write: " + e.getMessage(), e);
    }
    return file;
  }

  /**
   * Reads the model's calibration.
   *
   * @param modelDir the model directory
   * @return the calibration, or empty if the model has not been calibrated
   * @throws ArtifactException if the file exists but is unreadable, not a valid calibration, or of
   *     another format version
   */
  public static Optional<Calibration> read(Path modelDir) {
    Path file = modelDir.resolve(FILE);
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new ArtifactException(file, "cannot read: " + e.getMessage(), e);
    }
    return Optional.of(VersionedJson.bind(
        file, text, mapper(), Calibration.FORMAT_VERSION, Calibration.class, "calibration"));
  }

  private static ObjectMapper mapper() {
    return new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
  }
}
