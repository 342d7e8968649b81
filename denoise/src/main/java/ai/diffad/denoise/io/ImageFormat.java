package ai.diffad.denoise.io;

import java.util.Locale;
import java.util.Optional;

/** The image container formats the engine reads and writes, recognised by their magic bytes. */
public enum ImageFormat {
  /** Portable Network Graphics: 8/16 bit, gray, RGB, RGBA. */
  PNG(".png", true, true),
  /** JPEG (baseline and progressive): 8 bit only, no alpha. */
  JPEG(".jpg", false, false),
  /** Windows bitmap: 8 bit. OpenCV writes gray and BGR; alpha is dropped on output. */
  BMP(".bmp", false, false),
  /** TIFF (classic, either byte order): 8/16 bit, gray, RGB, RGBA. */
  TIFF(".tif", true, true);

  private final String extension;
  private final boolean sixteenBit;
  private final boolean alpha;

  ImageFormat(String extension, boolean sixteenBit, boolean alpha) {
    this.extension = extension;
    this.sixteenBit = sixteenBit;
    this.alpha = alpha;
  }

  /** The file extension OpenCV's encoder is chosen by (with the dot). */
  public String extension() {
    return extension;
  }

  /** Whether this format keeps 16-bit samples; otherwise outputs are written with 8 bits. */
  public boolean supportsSixteenBit() {
    return sixteenBit;
  }

  /** Whether this format keeps an alpha channel; otherwise alpha is dropped on output. */
  public boolean supportsAlpha() {
    return alpha;
  }

  /**
   * The format whose magic number starts {@code bytes}, if any: PNG {@code 89 50 4E 47}, JPEG
   * {@code FF D8 FF}, BMP {@code 42 4D}, TIFF {@code 49 49 2A 00} or {@code 4D 4D 00 2A}.
   */
  public static Optional<ImageFormat> sniff(byte[] bytes) {
    if (startsWith(bytes, 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A)) {
      return Optional.of(PNG);
    }
    if (startsWith(bytes, 0xFF, 0xD8, 0xFF)) {
      return Optional.of(JPEG);
    }
    if (startsWith(bytes, 0x42, 0x4D) && bytes.length >= 26) {
      return Optional.of(BMP);
    }
    if (startsWith(bytes, 0x49, 0x49, 0x2A, 0x00) || startsWith(bytes, 0x4D, 0x4D, 0x00, 0x2A)
        || startsWith(bytes, 0x49, 0x49, 0x2B, 0x00) || startsWith(bytes, 0x4D, 0x4D, 0x00, 0x2B)) {
      return Optional.of(TIFF);
    }
    return Optional.empty();
  }

  /** The format a file name's extension asks for ({@code .png, .jpg, .jpeg, .bmp, .tif, .tiff}). */
  public static Optional<ImageFormat> fromFileName(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (n.endsWith(".png")) {
      return Optional.of(PNG);
    }
    if (n.endsWith(".jpg") || n.endsWith(".jpeg")) {
      return Optional.of(JPEG);
    }
    if (n.endsWith(".bmp")) {
      return Optional.of(BMP);
    }
    if (n.endsWith(".tif") || n.endsWith(".tiff")) {
      return Optional.of(TIFF);
    }
    return Optional.empty();
  }

  private static boolean startsWith(byte[] b, int... magic) {
    if (b.length < magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if ((b[i] & 0xFF) != magic[i]) {
        return false;
      }
    }
    return true;
  }
}
