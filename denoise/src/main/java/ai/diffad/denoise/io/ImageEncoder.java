package ai.diffad.denoise.io;

import static org.bytedeco.opencv.global.opencv_core.CV_16U;
import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_core.CV_MAKETYPE;
import static org.bytedeco.opencv.global.opencv_core.addWeighted;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.COLORMAP_TURBO;
import static org.bytedeco.opencv.global.opencv_imgproc.applyColorMap;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Writes engine outputs as image files at the input's full resolution: denoised images in the
 * input's bit depth, channels and alpha, the raw anomaly map as a 16-bit gray PNG, and a heatmap
 * overlay. Files are written atomically (temporary file in the same folder, then rename), so a
 * reader never sees half a file. Every native {@link Mat} is closed before returning.
 */
public final class ImageEncoder {
  private ImageEncoder() {}

  /**
   * The map value that the 16-bit map PNG's full scale (65535) stands for by default. Maps are
   * per-pixel errors of images in [-1, 1]; errors of normal images lie far below 1, so clipping at
   * 1 loses only saturated defects while keeping a resolution of 1.5e-5.
   */
  public static final double DEFAULT_MAP_SCALE = 1.0;

  /** Share of the colour map in the overlay; the rest is the input. */
  public static final double DEFAULT_OVERLAY_OPACITY = 0.5;

  /** JPEG outputs are written at this quality. */
  public static final int JPEG_QUALITY = 95;

  /**
   * Encodes planar floats in [-1, 1] (values outside are clipped).
   *
   * @param data planar (C, H, W) with C = 1 or 3 (RGB order)
   * @param alpha an alpha plane in [-1, 1] (H * W) or null; dropped if the format has no alpha
   * @param bitDepth 8 or 16; formats without 16-bit samples (JPEG, BMP) are written with 8
   * @param format the container
   */
  public static byte[] encode(float[] data, int channels, int height, int width, float[] alpha,
      int bitDepth, ImageFormat format) {
    int hw = height * width;
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
    }
    if (data.length != channels * hw) {
      throw new IllegalArgumentException("data has " + data.length + " values, expected "
          + channels + "x" + height + "x" + width);
    }
    if (alpha != null && alpha.length != hw) {
      throw new IllegalArgumentException("alpha has " + alpha.length + " values, expected " + hw);
    }
    if (bitDepth != 8 && bitDepth != 16) {
      throw new IllegalArgumentException("bitDepth must be 8 or 16, got " + bitDepth);
    }
    boolean withAlpha = alpha != null && format.supportsAlpha();
    int bits = format.supportsSixteenBit() ? bitDepth : 8;
    int c = withAlpha ? 4 : channels;
    float[] inter = new float[hw * c];
    for (int i = 0; i < hw; i++) {
      int o = i * c;
      if (c == 1) {
        inter[o] = data[i];
        continue;
      }
      if (channels == 1) { // gray with alpha is written as BGRA
        inter[o] = data[i];
        inter[o + 1] = data[i];
        inter[o + 2] = data[i];
      } else { // RGB planes to OpenCV's BGR
        inter[o] = data[2 * hw + i];
        inter[o + 1] = data[hw + i];
        inter[o + 2] = data[i];
      }
      if (withAlpha) {
        inter[o + 3] = alpha[i];
      }
    }
    double max = bits == 16 ? 65535.0 : 255.0;
    try (Mat f = floatMat(inter, height, width, c); Mat out = new Mat()) {
      // (x + 1) / 2 * max; the saturating conversion clips to the integer range.
      f.convertTo(out, bits == 16 ? CV_16U : CV_8U, max / 2.0, max / 2.0);
      return encodeMat(out, format);
    }
  }

  /**
   * Encodes an output like its input: same size, bit depth and alpha, gray if the input was gray
   * and RGB otherwise.
   *
   * @param data planar (C, H, W) in [-1, 1] at the input's size, C = 1 or 3
   * @param format the container (often {@code like.format()})
   */
  public static byte[] encodeLike(float[] data, int channels, DecodedImage like,
      ImageFormat format) {
    int want = like.sourceChannels() == 1 ? 1 : 3;
    float[] planes = DecodedImage.convert(data, channels, want, like.pixels());
    return encode(planes, want, like.height(), like.width(), like.alpha(), like.bitDepth(), format);
  }

  /**
   * Writes an output like its input (see {@link #encodeLike}), in the format the file name's
   * extension names, atomically.
   *
   * @throws IllegalArgumentException if the extension is not .png/.jpg/.jpeg/.bmp/.tif/.tiff
   */
  public static void writeLike(Path file, float[] data, int channels, DecodedImage like)
      throws IOException {
    writeAtomically(file, encodeLike(data, channels, like, formatOf(file)));
  }

  /**
   * Encodes an anomaly map as a 16-bit gray PNG: stored value q = round(clip(v / scale, 0, 1) *
   * 65535), so v = q / 65535 * scale. Callers that use a scale other than {@link
   * #DEFAULT_MAP_SCALE} record it next to the output.
   *
   * @param map per-pixel values, row-major (H, W)
   * @param scale the map value shown as full white, > 0
   */
  public static byte[] encodeMap(float[] map, int height, int width, double scale) {
    checkMap(map, height, width);
    if (!(scale > 0)) {
      throw new IllegalArgumentException("scale must be > 0, got " + scale);
    }
    try (Mat f = floatMat(map, height, width, 1); Mat out = new Mat()) {
      f.convertTo(out, CV_16U, 65535.0 / scale, 0.0);
      return encodeMat(out, ImageFormat.PNG);
    }
  }

  /**
   * Encodes a heatmap overlay as an 8-bit BGR PNG: the map, normalised by (v - lo) / (hi - lo) and
   * clipped to [0, 1], is coloured with OpenCV's TURBO colour map (blue low, red high) and blended
   * over the input shown in gray or colour.
   *
   * @param map per-pixel values (H, W)
   * @param image planar (C, H, W) input in [-1, 1], C = 1 or 3
   * @param lo map value shown as the coldest colour
   * @param hi map value shown as the hottest colour, > lo
   * @param opacity share of the colour map in [0, 1]
   */
  public static byte[] encodeOverlay(float[] map, int height, int width, float[] image,
      int channels, double lo, double hi, double opacity) {
    checkMap(map, height, width);
    if (!(hi > lo)) {
      throw new IllegalArgumentException("need hi > lo, got lo=" + lo + " hi=" + hi);
    }
    if (!(opacity >= 0 && opacity <= 1)) {
      throw new IllegalArgumentException("opacity must be in [0, 1], got " + opacity);
    }
    int hw = height * width;
    float[] rgb = DecodedImage.convert(image, channels, 3, hw);
    float[] bgr = new float[3 * hw];
    for (int i = 0; i < hw; i++) {
      bgr[3 * i] = rgb[2 * hw + i];
      bgr[3 * i + 1] = rgb[hw + i];
      bgr[3 * i + 2] = rgb[i];
    }
    double k = 255.0 / (hi - lo);
    try (Mat mf = floatMat(map, height, width, 1);
        Mat m8 = new Mat();
        Mat colour = new Mat();
        Mat imf = floatMat(bgr, height, width, 3);
        Mat im8 = new Mat();
        Mat out = new Mat()) {
      mf.convertTo(m8, CV_8U, k, -lo * k);
      applyColorMap(m8, colour, COLORMAP_TURBO);
      imf.convertTo(im8, CV_8U, 127.5, 127.5);
      addWeighted(im8, 1.0 - opacity, colour, opacity, 0.0, out);
      return encodeMat(out, ImageFormat.PNG);
    }
  }

  /**
   * {@link #encodeOverlay(float[], int, int, float[], int, double, double, double)} with the range
   * [0, max of the map] (or [0, 1] for an all-zero map) and {@link #DEFAULT_OVERLAY_OPACITY}.
   */
  public static byte[] encodeOverlay(float[] map, int height, int width, float[] image,
      int channels) {
    float hi = 0f;
    for (float v : map) {
      if (v > hi) {
        hi = v;
      }
    }
    return encodeOverlay(map, height, width, image, channels, 0.0, hi > 0 ? hi : 1.0,
        DEFAULT_OVERLAY_OPACITY);
  }

  /**
   * Writes bytes to {@code file} atomically: into a temporary file in the same folder, then renamed
   * over the target. Creates missing parent folders.
   */
  public static void writeAtomically(Path file, byte[] bytes) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path tmp = Files.createTempFile(parent, ".tmp-", ".part");
    try {
      Files.write(tmp, bytes);
      // createTempFile makes owner-only files; outputs are for dashboards and colleagues too.
      if (Files.getFileStore(tmp).supportsFileAttributeView("posix")) {
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** The format a file's extension names. */
  public static ImageFormat formatOf(Path file) {
    String name = file.getFileName().toString();
    return ImageFormat.fromFileName(name).orElseThrow(() -> new IllegalArgumentException(
        name + ": unknown image extension; use .png, .jpg, .jpeg, .bmp, .tif or .tiff"));
  }

  private static void checkMap(float[] map, int height, int width) {
    if (map.length != height * width) {
      throw new IllegalArgumentException("map has " + map.length + " values, expected "
          + height + "x" + width);
    }
  }

  private static Mat floatMat(float[] interleaved, int height, int width, int channels) {
    Mat f = new Mat(height, width, CV_MAKETYPE(CV_32F, channels));
    FloatBuffer buf = f.createBuffer();
    buf.put(interleaved);
    return f;
  }

  private static byte[] encodeMat(Mat m, ImageFormat format) {
    try (BytePointer encoded = new BytePointer();
        IntPointer params = format == ImageFormat.JPEG
            ? new IntPointer(IMWRITE_JPEG_QUALITY, JPEG_QUALITY) : new IntPointer()) {
      boolean ok = format == ImageFormat.JPEG
          ? imencode(format.extension(), m, encoded, params)
          : imencode(format.extension(), m, encoded);
      if (!ok) {
        throw new IllegalStateException("OpenCV could not encode " + m.cols() + "x" + m.rows()
            + "x" + m.channels() + " as " + format);
      }
      byte[] bytes = new byte[(int) encoded.limit()];
      encoded.get(bytes);
      return bytes;
    }
  }
}
