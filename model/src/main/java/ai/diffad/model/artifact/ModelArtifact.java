package ai.diffad.model.artifact;

import ai.diffad.config.DiffadConfig;
import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * The model artifact: a directory with {@code model.json} ({@link ModelManifest}) and the EMA
 * weights ({@value #WEIGHTS}, DJL parameter format). Every weight file's SHA-256 is recorded in
 * the manifest and verified on {@link #load}; a mismatch, a missing file or an unknown format
 * version is refused with an {@link ArtifactException} naming the file.
 *
 * <p>The manifest is written last (atomically), so a directory with a {@code model.json} always
 * has complete weights.
 */
public final class ModelArtifact {
  /** Manifest file name. */
  public static final String MANIFEST = "model.json";
  /** Weight file name. */
  public static final String WEIGHTS = "weights.params";

  private ModelArtifact() {}

  /**
   * Writes an artifact into {@code dir} (created if needed; existing artifact files replaced).
   *
   * @param dir the model directory
   * @param config the profile the weights were trained with
   * @param weights an initialised block holding the weights to ship (the EMA weights)
   * @param training provenance
   * @return the manifest written
   */
  public static ModelManifest save(
      Path dir, DiffadConfig config, Block weights, ModelManifest.TrainingInfo training) {
    return save(dir, config, ModelManifest.InputSpec.of(config), weights, training);
  }

  /** Saves an artifact with an explicit input specification (sensor statistics included). */
  public static ModelManifest save(Path dir, DiffadConfig config, ModelManifest.InputSpec input,
      Block weights, ModelManifest.TrainingInfo training) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new ArtifactException(dir, "cannot create the model directory: " + e.getMessage(), e);
    }
    String sha = BlockWeights.save(weights, dir.resolve(WEIGHTS));
    ModelManifest manifest = new ModelManifest(
        ModelManifest.FORMAT_VERSION,
        config.name(),
        config,
        input,
        training,
        Map.of(WEIGHTS, sha));
    Path file = dir.resolve(MANIFEST);
    Path tmp = dir.resolve(MANIFEST + ".tmp");
    try {
      Files.writeString(tmp, mapper().writeValueAsString(manifest) + "\n");
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new ArtifactException(file, "cannot write: " + e.getMessage(), e);
    }
    return manifest;
  }

  /**
   * Reads and checks {@code model.json} without touching the weights.
   *
   * @throws ArtifactException if the manifest is missing, not valid JSON, or of a format version
   *     other than {@value ModelManifest#FORMAT_VERSION}
   */
  public static ModelManifest readManifest(Path dir) {
    Path file = dir.resolve(MANIFEST);
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ArtifactException(file, "missing: " + dir + " is not a model artifact");
    } catch (IOException e) {
      throw new ArtifactException(file, "cannot read: " + e.getMessage(), e);
    }
    return VersionedJson.bind(
        file, text, mapper(), ModelManifest.FORMAT_VERSION, ModelManifest.class, "manifest");
  }

  /**
   * Checks that every file listed in the manifest exists and has the recorded SHA-256.
   *
   * @throws ArtifactException naming the first missing or mismatching file
   */
  public static void verify(Path dir, ModelManifest manifest) {
    if (!manifest.files().containsKey(WEIGHTS)) {
      throw new ArtifactException(dir.resolve(MANIFEST), "lists no " + WEIGHTS);
    }
    for (Map.Entry<String, String> e : manifest.files().entrySet()) {
      Path file = dir.resolve(e.getKey());
      if (!Files.isRegularFile(file)) {
        throw new ArtifactException(file, "missing (listed in " + MANIFEST + ")");
      }
      String actual = BlockWeights.sha256(file);
      if (!actual.equalsIgnoreCase(e.getValue())) {
        throw new ArtifactException(
            file,
            "SHA-256 mismatch: " + MANIFEST + " says " + e.getValue() + ", the file has " + actual
                + "; the weights are corrupt or were replaced");
      }
    }
  }

  /** Loads and verifies an artifact of the standard networks; see {@link #load(Path, Device, NetworkFactory)}. */
  public static LoadedModel load(Path dir, Device device) {
    return load(dir, device, NetworkFactory.standard());
  }

  /**
   * Loads and verifies an artifact.
   *
   * @param dir the model directory
   * @param device where the weights live
   * @param factory builds the network named in the manifest's configuration
   * @return the model; close it to free the weights
   * @throws ArtifactException if the manifest or a weight file is missing, corrupt or of an
   *     unsupported version
   */
  public static LoadedModel load(Path dir, Device device, NetworkFactory factory) {
    ModelManifest manifest = readManifest(dir);
    verify(dir, manifest);
    DiffadConfig config = manifest.config();
    NDManager manager = NDManager.newBaseManager(device);
    try {
      Block block = factory.create(config.network(), config.data().channels());
      block.initialize(manager, DataType.FLOAT32, NetworkFactory.inputShapes(config));
      BlockWeights.load(block, manager, dir.resolve(WEIGHTS), false);
      return new LoadedModel(manager, block, manifest);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  static ObjectMapper mapper() {
    return new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  }
}
