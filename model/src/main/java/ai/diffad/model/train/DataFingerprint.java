package ai.diffad.model.train;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The identity of a training set's content, recorded in the model artifact. Defined as the
 * SHA-256 (lower-case hex) over, big-endian: the item count and channels (int32), then for each
 * item in order its height, width and label (int32) and its float32 values (IEEE bits, CHW). The
 * description (a path) is not included: the same data read from another place have the same
 * fingerprint.
 */
public final class DataFingerprint {
  private DataFingerprint() {}

  /** The fingerprint of {@code data}. */
  public static String of(TrainingSet data) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
    ByteBuffer header = ByteBuffer.allocate(12).order(ByteOrder.BIG_ENDIAN);
    header.putInt(data.size()).putInt(data.channels());
    digest.update(header.array(), 0, 8);
    for (int i = 0; i < data.size(); i++) {
      header.clear();
      header.putInt(data.height(i)).putInt(data.width(i)).putInt(data.label(i));
      digest.update(header.array(), 0, 12);
      float[] values = data.item(i);
      ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.BIG_ENDIAN);
      buf.asFloatBuffer().put(values);
      digest.update(buf.array());
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
