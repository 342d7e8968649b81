package ai.diffad.model.artifact;

import java.nio.file.Path;

/**
 * A model artifact or checkpoint cannot be used: a file is missing, unreadable, corrupt (its
 * SHA-256 differs from the manifest) or of an unsupported format version. The message always names
 * the offending file.
 */
public final class ArtifactException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;

  /**
   * @param file the file at fault
   * @param message what is wrong with it; the file name is prepended
   */
  public ArtifactException(Path file, String message) {
    super(file + ": " + message);
    this.file = file;
  }

  /**
   * @param file the file at fault
   * @param message what is wrong with it; the file name is prepended
   * @param cause the underlying error
   */
  public ArtifactException(Path file, String message, Throwable cause) {
    super(file + ": " + message, cause);
    this.file = file;
  }

  /** The file at fault. */
  public Path file() {
    return file;
  }
}
