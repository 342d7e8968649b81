package ai.diffad.denoise.io;

import static org.bytedeco.opencv.global.opencv_core.CV_16U;
import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_ANYDEPTH;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_GRAYSCALE;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_RGB2BGR;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_CUBIC;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Image decoding and encoding through OpenCV, to and from planar float arrays in [-1, 1], for
 * trusted files (training data, samples). Inputs from outside go through {@link ImageDecoder},
 * which checks the pixel cap and reports rejections; outputs like an input through {@link
 * ImageEncoder}. Every native {@link Mat} is closed before returning.
 */
public final class Images {
  private Images() {}

  /** A decoded image: planar (C, H, W) floats in [-1, 1] and the bit depth it came with. */
  public record Planar(float[] data, int channels, int height, int width, int bitDepth) {}

  /**
   * Decodes an image file to {@code channels} (1 gray, 3 RGB) planar floats in [-1, 1].
   *
   * @param resizeShorter if > 0, resize so that the shorter side has this many pixels
   * @throws IOException if the file cannot be read or is not an image OpenCV can decode
   */
  public static Planar read(Path file, int channels, int resizeShorter) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    try {
      return decode(bytes, channels, resizeShorter);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }

  /** Decodes encoded image bytes; see {@link #read}. */
  public static Planar decode(byte[] bytes, int channels, int resizeShorter) {
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
    }
    int flags = IMREAD_ANYDEPTH | (channels == 1 ? IMREAD_GRAYSCALE : IMREAD_COLOR);
    try (Mat raw = new Mat(1, bytes.length, CV_8U)) {
      raw.data().put(bytes);
      try (Mat img = imdecode(raw, flags)) {
        if (img == null || img.empty()) {
          throw new IllegalArgumentException("not an image OpenCV can decode");
        }
        int depth = img.depth() == CV_16U ? 16 : 8;
        Mat work = img;
        Mat rgb = null;
        Mat small = null;
        try {
          if (channels == 3) {
            rgb = new Mat();
            cvtColor(work, rgb, COLOR_BGR2RGB);
            work = rgb;
          }
          if (resizeShorter > 0 && Math.min(work.rows(), work.cols()) != resizeShorter) {
            double s = resizeShorter / (double) Math.min(work.rows(), work.cols());
            int w = Math.max(1, (int) Math.round(work.cols() * s));
            int h = Math.max(1, (int) Math.round(work.rows() * s));
            small = new Mat();
            resize(work, small, new Size(w, h), 0, 0, s < 1 ? INTER_AREA : INTER_CUBIC);
            work = small;
          }
          return toPlanar(work, depth);
        } finally {
          if (rgb != null) {
            rgb.close();
          }
          if (small != null) {
            small.close();
          }
        }
      }
    }
  }

  private static Planar toPlanar(Mat img, int depth) {
    double max = depth == 16 ? 65535.0 : 255.0;
    int h = img.rows();
    int w = img.cols();
    int c = img.channels();
    try (Mat f = new Mat()) {
      img.convertTo(f, CV_32F, 2.0 / max, -1.0);
      FloatBuffer buf = f.createBuffer();
      float[] interleaved = new float[h * w * c];
      buf.get(interleaved);
      if (c == 1) {
        return new Planar(interleaved, 1, h, w, depth);
      }
      float[] planar = new float[interleaved.length];
      int hw = h * w;
      for (int i = 0; i < hw; i++) {
        for (int k = 0; k < c; k++) {
          planar[k * hw + i] = interleaved[i * c + k];
        }
      }
      return new Planar(planar, c, h, w, depth);
    }
  }

  /**
   * Encodes planar floats in [-1, 1] (values outside are clipped) as PNG bytes, 8 or 16 bit.
   */
  public static byte[] encodePng(float[] data, int channels, int height, int width, int bitDepth) {
    int hw = height * width;
    if (data.length != channels * hw) {
      throw new IllegalArgumentException(
          "data has " + data.length + " values, expected " + channels + "x" + height + "x" + width);
    }
    float[] interleaved = new float[data.length];
    for (int i = 0; i < hw; i++) {
      for (int k = 0; k < channels; k++) {
        interleaved[i * channels + k] = data[k * hw + i];
      }
    }
    double max = bitDepth == 16 ? 65535.0 : 255.0;
    int type = org.bytedeco.opencv.global.opencv_core.CV_MAKETYPE(CV_32F, channels);
    try (Mat f = new Mat(height, width, type);
        Mat out = new Mat();
        BytePointer encoded = new BytePointer()) {
      FloatBuffer buf = f.createBuffer();
      buf.put(interleaved);
      // (x + 1) / 2 * max, saturating conversion clips to the integer range.
      f.convertTo(out, bitDepth == 16 ? CV_16U : CV_8U, max / 2.0, max / 2.0);
      Mat toWrite = out;
      Mat bgr = null;
      try {
        if (channels == 3) {
          bgr = new Mat();
          cvtColor(out, bgr, COLOR_RGB2BGR);
          toWrite = bgr;
        }
        if (!imencode(".png", toWrite, encoded)) {
          throw new IllegalStateException("OpenCV could not encode a PNG");
        }
        byte[] bytes = new byte[(int) encoded.limit()];
        encoded.get(bytes);
        return bytes;
      } finally {
        if (bgr != null) {
          bgr.close();
        }
      }
    }
  }

  /** Writes planar floats in [-1, 1] as a PNG file, atomically (temporary file, then rename). */
  public static void writePng(Path file, float[] data, int channels, int height, int width,
      int bitDepth) throws IOException {
    ImageEncoder.writeAtomically(file, encodePng(data, channels, height, width, bitDepth));
  }
}
