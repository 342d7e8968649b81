package ai.diffad.denoise.io;

import static org.bytedeco.opencv.global.opencv_core.CV_16U;
import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_core.CV_MAKETYPE;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ShortBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;

/** Small images made with OpenCV's own encoder, and hand-made headers, for the io tests. */
final class TestImages {
  private TestImages() {}

  /** Encodes an interleaved (H, W, C) 8-bit image with OpenCV, by extension. */
  static byte[] encode8(String ext, int height, int width, int channels, byte[] interleaved) {
    try (Mat m = new Mat(height, width, CV_MAKETYPE(CV_8U, channels))) {
      ByteBuffer buf = m.createBuffer();
      buf.put(interleaved);
      return encode(ext, m);
    }
  }

  /** Encodes an interleaved (H, W, C) 16-bit image with OpenCV, by extension. */
  static byte[] encode16(String ext, int height, int width, int channels, short[] interleaved) {
    try (Mat m = new Mat(height, width, CV_MAKETYPE(CV_16U, channels))) {
      ShortBuffer buf = m.createBuffer();
      buf.put(interleaved);
      return encode(ext, m);
    }
  }

  /** A gradient test pattern, (H, W, C) interleaved, distinct per channel. */
  static byte[] pattern8(int height, int width, int channels) {
    byte[] b = new byte[height * width * channels];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) ((i * 37 + (i % channels) * 80) & 0xFF);
    }
    return b;
  }

  private static byte[] encode(String ext, Mat m) {
    try (BytePointer out = new BytePointer()) {
      if (!imencode(ext, m, out)) {
        throw new IllegalStateException("imencode " + ext + " failed");
      }
      byte[] bytes = new byte[(int) out.limit()];
      out.get(bytes);
      return bytes;
    }
  }

  /** A PNG signature and IHDR chunk declaring width x height, 8-bit gray, and nothing else. */
  static byte[] pngHeaderOnly(int width, int height) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
    ByteBuffer ihdr = ByteBuffer.allocate(13);
    ihdr.putInt(width).putInt(height).put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0)
        .put((byte) 0);
    chunk(out, "IHDR", ihdr.array());
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    out.writeBytes(t);
    out.writeBytes(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }
}
