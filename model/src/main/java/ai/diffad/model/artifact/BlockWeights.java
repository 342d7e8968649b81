package ai.diffad.model.artifact;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Reads and writes a block's parameters in DJL's parameter format ({@link Block#saveParameters}),
 * and hashes files. Loading replaces the arrays of an initialised block: the arrays created by
 * initialisation are closed first so that nothing is left behind in the manager.
 */
public final class BlockWeights {
  private BlockWeights() {}

  /**
   * Writes the parameters of {@code block} to {@code file}.
   *
   * @return the SHA-256 of the written file, lower-case hex
   */
  public static String save(Block block, Path file) {
    try (DataOutputStream out =
        new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
      block.saveParameters(out);
    } catch (IOException e) {
      throw new ArtifactException(file, "cannot write parameters: " + e.getMessage(), e);
    }
    return sha256(file);
  }

  /**
   * Loads parameters written by {@link #save} into an initialised block of the same architecture.
   *
   * @param block initialised block whose parameters are replaced
   * @param manager manager that owns the loaded arrays
   * @param file the parameter file
   * @param trainable whether the loaded arrays should record gradients (trainer) or not
   *     (inference)
   */
  public static void load(Block block, NDManager manager, Path file, boolean trainable) {
    if (!block.isInitialized()) {
      throw new IllegalStateException("the block must be initialised before loading " + file);
    }
    for (Parameter p : block.getParameters().values()) {
      NDArray old = p.getArray();
      old.close();
    }
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
      block.loadParameters(manager, in);
    } catch (NoSuchFileException e) {
      throw new ArtifactException(file, "missing");
    } catch (IOException | MalformedModelException e) {
      throw new ArtifactException(
          file, "not a parameter file of this architecture: " + e.getMessage(), e);
    }
    for (Parameter p : block.getParameters().values()) {
      p.getArray().setRequiresGradient(trainable && p.requiresGradient());
    }
  }

  /** SHA-256 of a file, lower-case hex. */
  public static String sha256(Path file) {
    MessageDigest digest = newDigest();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(OutputStreamSink.INSTANCE);
    } catch (NoSuchFileException e) {
      throw new ArtifactException(file, "missing");
    } catch (IOException e) {
      throw new ArtifactException(file, "cannot read: " + e.getMessage(), e);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** SHA-256 of bytes, lower-case hex. */
  public static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(newDigest().digest(bytes));
  }

  static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }

  /** Discards bytes; the digest stream does the work. */
  private static final class OutputStreamSink extends java.io.OutputStream {
    static final OutputStreamSink INSTANCE = new OutputStreamSink();

    @Override
    public void write(int b) {}

    @Override
    public void write(byte[] b, int off, int len) {}
  }
}
