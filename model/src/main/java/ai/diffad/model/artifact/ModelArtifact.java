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
import java.util.TreeMap;

/**
 * The model artifact: a directory with {@code model.json} ({@link ModelManifest}), one weight file
 * per named network (the diffusion denoiser's is {@value #WEIGHTS}, DJL parameter format) and any
 * state a map learned from normal data. Every file's SHA-256 is recorded in the manifest and
 * verified on {@link #load}; a mismatch, a missing file or an unknown format version is refused
 * with an {@link ArtifactException} naming the file.
 *
 * <p>The manifest is written last (atomically), so a directory with a {@code model.json} always
 * has complete files.
 */
public final class ModelArtifact {
  /** Manifest file name. */
  public static final String MANIFEST = "model.json";
  /** Weight file name of the denoiser. */
  public static final String WEIGHTS = "weights.params";

  private ModelArtifact() {}

  /** A network to save: its entry in the manifest and the block holding its (EMA) weights. */
  public record NamedNetwork(NetworkSpec spec, Block block) {}

  /**
   * Writes an artifact of one network, the denoiser, into {@code dir} (created if needed; existing
   * artifact files replaced).
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

  /** Saves the denoiser alone with an explicit input specification (sensor statistics included). */
  public static ModelManifest save(Path dir, DiffadConfig config, ModelManifest.InputSpec input,
      Block weights, ModelManifest.TrainingInfo training) {
    return save(dir, config, input, Map.of(ModelManifest.DENOISER, new NamedNetwork(
        NetworkSpec.denoiser(WEIGHTS, config), weights)),
        training);
  }

  /**
   * Saves named networks, each into its spec's file; the map must hold {@value
   * ModelManifest#DENOISER}.
   */
  public static ModelManifest save(Path dir, DiffadConfig config, ModelManifest.InputSpec input,
      Map<String, NamedNetwork> networks, ModelManifest.TrainingInfo training) {
    if (!networks.containsKey(ModelManifest.DENOISER)) {
      throw new IllegalArgumentException("a model needs a network named " + ModelManifest.DENOISER
          + ", got " + networks.keySet());
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new ArtifactException(dir, "cannot create the model directory: " + e.getMessage(), e);
    }
    Map<String, NetworkSpec> specs = new TreeMap<>();
    Map<String, String> files = new TreeMap<>();
    for (Map.Entry<String, NamedNetwork> e : networks.entrySet()) {
      NetworkSpec spec = e.getValue().spec();
      if (files.containsKey(spec.file())) {
        throw new IllegalArgumentException("two networks share the file " + spec.file());
      }
      files.put(spec.file(), BlockWeights.save(e.getValue().block(), dir.resolve(spec.file())));
      specs.put(e.getKey(), spec);
    }
    ModelManifest manifest = ModelManifest.of(config.name(), config, input, training, specs, files);
    writeManifest(dir, manifest);
    return manifest;
  }

  /**
   * Adds (or replaces) a file of learned state in an existing artifact: {@code content} is written
   * atomically to {@code dir/name}, then the manifest is rewritten with its SHA-256, so a later
   * load verifies it like the weights.
   *
   * @param dir the model directory
   * @param name the file name relative to {@code dir}, not a network's weight file
   * @param content the file's bytes
   * @return the new manifest
   */
  public static ModelManifest putFile(Path dir, String name, byte[] content) {
    ModelManifest m = readManifest(dir);
    for (NetworkSpec n : m.networks().values()) {
      if (n.file().equals(name)) {
        throw new IllegalArgumentException(name + " is the weight file of a network");
      }
    }
    Path file = dir.resolve(name).normalize();
    if (!file.startsWith(dir.normalize()) || name.equals(MANIFEST)) {
      throw new IllegalArgumentException("not a model file name: " + name);
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.createDirectories(file.getParent());
      Files.write(tmp, content);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new ArtifactException(file, "cannot write: " + e.getMessage(), e);
    }
    ModelManifest updated = m.withFile(name, BlockWeights.sha256(file));
    writeManifest(dir, updated);
    return updated;
  }

  /**
   * Records in {@code model.json} the backbone a file of learned state was built with (see
   * {@link ModelManifest#backbones()}); the file must be listed already.
   */
  public static ModelManifest recordBackbone(Path dir, String file, String backbone) {
    ModelManifest m = readManifest(dir);
    if (!m.files().containsKey(file)) {
      throw new IllegalArgumentException(file + " is not a file of the model");
    }
    ModelManifest updated = m.withBackbone(file, backbone);
    writeManifest(dir, updated);
    return updated;
  }

  private static void writeManifest(Path dir, ModelManifest manifest) {
    Path file = dir.resolve(MANIFEST);
    Path tmp = dir.resolve(MANIFEST + ".tmp");
    try {
      Files.writeString(tmp, mapper().writeValueAsString(manifest) + "\n");
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new ArtifactException(file, "cannot write: " + e.getMessage(), e);
    }
  }

  /**
   * Reads and checks {@code model.json} without touching the weights. A format-1 manifest (one
   * network in {@value #WEIGHTS}) is read as the same model in format 2.
   *
   * @throws ArtifactException if the manifest is missing, not valid JSON, or of a format version
   *     this code does not read
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
    int version = VersionedJson.version(file, text, mapper(), "manifest");
    if (version > ModelManifest.FORMAT_VERSION) {
      throw new ArtifactException(file, "unsupported formatVersion " + version + " (this diffad"
          + " reads versions " + ModelManifest.OLDEST_FORMAT_VERSION + " to "
          + ModelManifest.FORMAT_VERSION + "; a newer diffad wrote this model)");
    }
    if (version == 1) {
      ManifestV1 v1 = VersionedJson.bind(file, text, mapper(), 1, ManifestV1.class, "manifest");
      if (v1.config() == null) {
        throw new ArtifactException(file, "not a valid manifest: no config");
      }
      ModelManifest m1 = new ModelManifest(1, v1.name(), v1.config(), v1.input(), v1.training(),
          Map.of(ModelManifest.DENOISER, NetworkSpec.denoiser(WEIGHTS, v1.config().network(),
              v1.config().data().channels())), v1.files());
      checkFileNames(dir, file, m1);
      return m1;
    }
    ModelManifest m = VersionedJson.bind(
        file, text, mapper(), ModelManifest.FORMAT_VERSION, ModelManifest.class, "manifest");
    if (!m.networks().containsKey(ModelManifest.DENOISER)) {
      throw new ArtifactException(file, "lists no network named " + ModelManifest.DENOISER
          + " (networks: " + m.networks().keySet() + ")");
    }
    checkFileNames(dir, file, m);
    return m;
  }

  /**
   * Refuses a manifest that names a file outside the model directory: every key of {@code files}
   * and {@code backbones} and every network's {@code file} must be a relative path that stays
   * under {@code dir} once {@code ..} is resolved and, for a file that exists, once links are
   * followed. Checked when the manifest is read, so nothing outside is hashed or loaded.
   *
   * @throws ArtifactException naming model.json and the field
   */
  static void checkFileNames(Path dir, Path manifestFile, ModelManifest m) {
    for (String name : m.files().keySet()) {
      checkInside(dir, manifestFile, "files[\"" + name + "\"]", name);
    }
    for (Map.Entry<String, NetworkSpec> e : m.networks().entrySet()) {
      checkInside(dir, manifestFile, "networks." + e.getKey() + ".file", e.getValue().file());
    }
    for (String name : m.backbones().keySet()) {
      checkInside(dir, manifestFile, "backbones[\"" + name + "\"]", name);
    }
  }

  private static void checkInside(Path dir, Path manifestFile, String field, String name) {
    String problem = outsideProblem(dir, name);
    if (problem != null) {
      throw new ArtifactException(manifestFile, field + ": " + problem + "; a model's files must"
          + " lie in its directory " + dir.toAbsolutePath().normalize() + " (refused)");
    }
  }

  /**
   * Why {@code name} does not name a file inside {@code dir}, or null if it does.
   */
  static String outsideProblem(Path dir, String name) {
    if (name == null || name.isBlank()) {
      return "no file name";
    }
    Path rel;
    try {
      rel = Path.of(name);
    } catch (java.nio.file.InvalidPathException e) {
      return "'" + name + "' is not a file name (" + e.getReason() + ")";
    }
    if (rel.isAbsolute() || rel.getRoot() != null) {
      return "'" + name + "' is an absolute path";
    }
    Path base = dir.toAbsolutePath().normalize();
    Path file = base.resolve(rel).normalize();
    if (!file.startsWith(base) || file.equals(base)) {
      return "'" + name + "' leads outside the model directory (to " + file + ")";
    }
    if (Files.exists(file)) {
      try {
        Path real = file.toRealPath();
        if (!real.startsWith(base.toRealPath())) {
          return "'" + name + "' leads through a link to " + real + ", outside the model directory";
        }
      } catch (IOException e) {
        return "'" + name + "' cannot be resolved: " + e.getMessage();
      }
    }
    return null;
  }

  /** The format-1 manifest: one network, in {@value #WEIGHTS}. */
  record ManifestV1(int formatVersion, String name, DiffadConfig config,
      ModelManifest.InputSpec input, ModelManifest.TrainingInfo training,
      Map<String, String> files) {}

  /**
   * Checks that every file listed in the manifest exists and has the recorded SHA-256, and that
   * every network's weight file is listed.
   *
   * @throws ArtifactException naming the first missing or mismatching file
   */
  public static void verify(Path dir, ModelManifest manifest) {
    for (NetworkSpec n : manifest.networks().values()) {
      if (!manifest.files().containsKey(n.file())) {
        throw new ArtifactException(dir.resolve(MANIFEST), "lists no SHA-256 of " + n.file());
      }
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
                + "; the file is corrupt or was replaced");
      }
    }
  }

  /** Loads and verifies an artifact of the standard networks; see {@link #load(Path, Device, NetworkFactory)}. */
  public static LoadedModel load(Path dir, Device device) {
    return load(dir, device, NetworkFactory.standard());
  }

  /**
   * Loads and verifies an artifact: every network it lists, with its weights.
   *
   * @param dir the model directory
   * @param device where the weights live
   * @param factory builds the networks named in the manifest
   * @return the model; close it to free the weights
   * @throws ArtifactException if the manifest or a file is missing, corrupt or of an unsupported
   *     version
   */
  public static LoadedModel load(Path dir, Device device, NetworkFactory factory) {
    ModelManifest manifest = readManifest(dir);
    verify(dir, manifest);
    DiffadConfig config = manifest.config();
    NDManager manager = NDManager.newBaseManager(device);
    try {
      Map<String, Block> blocks = new TreeMap<>();
      for (Map.Entry<String, NetworkSpec> e : manifest.networks().entrySet()) {
        NetworkSpec spec = e.getValue();
        Block block = factory.create(spec);
        block.initialize(manager, DataType.FLOAT32, NetworkFactory.inputShapes(config, spec));
        BlockWeights.load(block, manager, dir.resolve(spec.file()), false);
        blocks.put(e.getKey(), block);
      }
      return new LoadedModel(manager, blocks, manifest, dir);
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
