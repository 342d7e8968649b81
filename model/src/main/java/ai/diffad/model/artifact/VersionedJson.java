package ai.diffad.model.artifact;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;

/**
 * Binds a JSON file that carries a {@code formatVersion} (model.json, calibration.json). The
 * version is checked before binding, since a newer format may have fields this code does not know;
 * every failure is an {@link ArtifactException} naming the file.
 */
public final class VersionedJson {
  private VersionedJson() {}

  /**
   * The {@code formatVersion} of a versioned file, before binding it.
   *
   * @throws ArtifactException if the text is not JSON or has no integer formatVersion
   */
  public static int version(Path file, String text, ObjectMapper mapper, String what) {
    try {
      JsonNode tree = mapper.readTree(text);
      JsonNode v = tree == null ? null : tree.get("formatVersion");
      if (v == null || !v.canConvertToInt()) {
        throw new ArtifactException(file, "not a valid " + what + ": no integer formatVersion");
      }
      int version = v.asInt();
      if (version < ModelManifest.OLDEST_FORMAT_VERSION) {
        throw new ArtifactException(file, "unsupported formatVersion " + version);
      }
      return version;
    } catch (JsonProcessingException e) {
      throw new ArtifactException(file, "not a valid " + what + ": " + e.getOriginalMessage(), e);
    }
  }

  /**
   * @param file the file the text came from (for messages)
   * @param text its content
   * @param mapper the mapper to bind with
   * @param version the only format version accepted
   * @param type the record to bind to
   * @param what what the file is, for messages ("manifest", "calibration")
   */
  public static <T> T bind(Path file, String text, ObjectMapper mapper, int version, Class<T> type,
      String what) {
    try {
      JsonNode tree = mapper.readTree(text);
      JsonNode v = tree == null ? null : tree.get("formatVersion");
      if (v == null || !v.canConvertToInt()) {
        throw new ArtifactException(file, "not a valid " + what + ": no integer formatVersion");
      }
      if (v.asInt() != version) {
        throw new ArtifactException(file, "unsupported formatVersion " + v.asInt()
            + " (this diffad reads version " + version + ")");
      }
      return mapper.treeToValue(tree, type);
    } catch (JsonProcessingException e) {
      throw new ArtifactException(file, "not a valid " + what + ": " + e.getOriginalMessage(), e);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new ArtifactException(file, "not a valid " + what + ": " + e.getMessage(), e);
    }
  }
}
