package ai.diffad.denoise.io;

import static org.bytedeco.opencv.global.opencv_core.CV_16U;
import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_UNCHANGED;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

import ai.diffad.config.EngineConfig;
import ai.diffad.denoise.record.RejectReason;
import ai.diffad.denoise.record.RejectedInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Decodes PNG, JPEG, BMP and TIFF images (8 or 16 bit; gray, RGB, RGBA) to a {@link DecodedImage},
 * refusing anything it cannot process with one {@link RejectedInputException}. The pixel-count cap
 * is checked on the header before OpenCV allocates the image (DESIGN.md, "The engine"). Instances
 * are immutable and thread-safe; every native {@link Mat} is closed before returning.
 */
public final class ImageDecoder {
  /** Bytes read from a file to find its header before deciding to read the rest. */
  private static final int PROBE_BYTES = 1 << 20;

  private final long maxPixels;

  /** A decoder refusing images with more than {@code maxPixels} pixels as TOO_LARGE. */
  public ImageDecoder(long maxPixels) {
    if (maxPixels <= 0) {
      throw new IllegalArgumentException("maxPixels must be > 0, got " + maxPixels);
    }
    this.maxPixels = maxPixels;
  }

  /** A decoder with the engine's {@link EngineConfig#maxPixels()} cap. */
  public static ImageDecoder of(EngineConfig engine) {
    return new ImageDecoder(engine.maxPixels());
  }

  /** The pixel cap. */
  public long maxPixels() {
    return maxPixels;
  }

  /**
   * Decodes an image file. A file whose header is over the cap is refused after reading at most
   * its first megabyte.
   *
   * @throws RejectedInputException UNREADABLE (missing, a folder, I/O error), EMPTY, TOO_LARGE,
   *     DECODE_FAILED or UNSUPPORTED_SHAPE
   */
  public DecodedImage decode(Path file) throws RejectedInputException {
    String id = file.toString();
    if (Files.isDirectory(file)) {
      throw new RejectedInputException(RejectReason.UNREADABLE, id + " is a folder, not a file");
    }
    try {
      long size = Files.size(file);
      if (size == 0) {
        throw new RejectedInputException(RejectReason.EMPTY, "empty file (0 bytes)");
      }
      if (size > PROBE_BYTES) {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
          head = in.readNBytes(PROBE_BYTES);
        }
        ImageHeaders.Dimensions d = probeOrNull(head);
        if (d != null) {
          checkCap(d);
        }
      }
      if (size > Integer.MAX_VALUE - 16) {
        throw new RejectedInputException(RejectReason.TOO_LARGE,
            "file of " + size + " bytes exceeds the 2 GB a single image may have");
      }
      return decode(id, Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      throw new RejectedInputException(RejectReason.UNREADABLE, "no such file: " + id);
    } catch (IOException e) {
      throw new RejectedInputException(RejectReason.UNREADABLE, "cannot read " + id + ": " + e);
    }
  }

  /**
   * Decodes encoded image bytes.
   *
   * @param id names the input in messages (a path or record id)
   * @throws RejectedInputException EMPTY, TOO_LARGE, DECODE_FAILED or UNSUPPORTED_SHAPE
   */
  public DecodedImage decode(String id, byte[] bytes) throws RejectedInputException {
    ImageHeaders.Dimensions d = ImageHeaders.read(bytes);
    checkCap(d);
    ImageHeaders.checkComplete(d.format(), bytes);
    try (Mat raw = new Mat(1, bytes.length, CV_8U)) {
      raw.data().put(bytes);
      Mat img;
      try {
        img = imdecode(raw, IMREAD_UNCHANGED);
      } catch (RuntimeException e) { // cv::Exception surfaces as a RuntimeException
        throw new RejectedInputException(RejectReason.DECODE_FAILED,
            "OpenCV could not decode the " + d.format() + " data of " + id + ": " + e.getMessage());
      }
      try (Mat m = img) {
        if (m == null || m.empty()) {
          throw new RejectedInputException(RejectReason.DECODE_FAILED,
              "damaged " + d.format() + " data (OpenCV decoded nothing) in " + id);
        }
        if (m.cols() != d.width() || m.rows() != d.height()) {
          throw new RejectedInputException(RejectReason.DECODE_FAILED,
              "header says " + d.width() + "x" + d.height() + " but " + m.cols() + "x" + m.rows()
                  + " pixels decoded in " + id);
        }
        return toDecoded(m, d.format(), id);
      }
    }
  }

  /**
   * The dimensions an encoded image declares, checked against the cap, without decoding.
   *
   * @throws RejectedInputException EMPTY, DECODE_FAILED or TOO_LARGE
   */
  public ImageHeaders.Dimensions probe(byte[] bytes) throws RejectedInputException {
    ImageHeaders.Dimensions d = ImageHeaders.read(bytes);
    checkCap(d);
    return d;
  }

  private void checkCap(ImageHeaders.Dimensions d) throws RejectedInputException {
    if (d.pixels() > maxPixels) {
      throw new RejectedInputException(RejectReason.TOO_LARGE,
          d.format() + " header declares " + d.width() + "x" + d.height() + " = " + d.pixels()
              + " pixels, more than the cap of " + maxPixels + " (engine.maxPixels)");
    }
  }

  private static ImageHeaders.Dimensions probeOrNull(byte[] head) {
    try {
      return ImageHeaders.read(head);
    } catch (RejectedInputException e) {
      return null; // the header may lie beyond the probe; the full read decides
    }
  }

  private static DecodedImage toDecoded(Mat m, ImageFormat format, String id)
      throws RejectedInputException {
    int depth = m.depth();
    if (depth != CV_8U && depth != CV_16U) {
      throw new RejectedInputException(RejectReason.UNSUPPORTED_SHAPE,
          id + " has " + depthName(depth) + " samples; only 8- and 16-bit unsigned are supported");
    }
    int c = m.channels();
    if (c != 1 && c != 3 && c != 4) {
      throw new RejectedInputException(RejectReason.UNSUPPORTED_SHAPE,
          id + " has " + c + " channels; expected 1 (gray), 3 (RGB) or 4 (RGBA)");
    }
    int bits = depth == CV_16U ? 16 : 8;
    double max = bits == 16 ? 65535.0 : 255.0;
    int h = m.rows();
    int w = m.cols();
    int hw = h * w;
    float[] interleaved = new float[hw * c];
    try (Mat f = new Mat()) {
      m.convertTo(f, CV_32F); // exact: integers below 2^24
      FloatBuffer buf = f.createBuffer();
      buf.get(interleaved);
    }
    // Scaled in double so that 0 and max land exactly on -1 and 1.
    double k = 2.0 / max;
    for (int i = 0; i < interleaved.length; i++) {
      interleaved[i] = (float) (interleaved[i] * k - 1.0);
    }
    if (c == 1) {
      return new DecodedImage(interleaved, null, 1, h, w, bits, 1, format);
    }
    // OpenCV stores B, G, R(, A); planes come out as R, G, B.
    float[] rgb = new float[3 * hw];
    float[] alpha = c == 4 ? new float[hw] : null;
    for (int i = 0; i < hw; i++) {
      int o = i * c;
      rgb[i] = interleaved[o + 2];
      rgb[hw + i] = interleaved[o + 1];
      rgb[2 * hw + i] = interleaved[o];
      if (alpha != null) {
        alpha[i] = interleaved[o + 3];
      }
    }
    return new DecodedImage(rgb, alpha, 3, h, w, bits, c, format);
  }

  private static String depthName(int depth) {
    return switch (depth) {
      case 1 -> "8-bit signed";
      case 3 -> "16-bit signed";
      case 4 -> "32-bit integer";
      case 5 -> "32-bit float";
      case 6 -> "64-bit float";
      case 7 -> "16-bit float";
      default -> "depth-" + depth;
    };
  }
}
