package ai.diffad.denoise.io;

import ai.diffad.denoise.record.RejectReason;
import ai.diffad.denoise.record.RejectedInputException;
import java.util.HexFormat;

/**
 * Reads an image's width and height from its header alone, without decoding pixels, so that the
 * pixel-count cap can refuse a decompression bomb before anything large is allocated. Also checks
 * the container for the truncations OpenCV would silently paper over (a JPEG without its end
 * marker decodes to a grey-filled partial image).
 */
public final class ImageHeaders {
  private ImageHeaders() {}

  /**
   * What a header says.
   *
   * @param format the container format
   * @param width pixels per row
   * @param height rows
   */
  public record Dimensions(ImageFormat format, int width, int height) {
    /** width * height, without overflow. */
    public long pixels() {
      return (long) width * height;
    }
  }

  /**
   * Reads the dimensions from the header of an encoded image.
   *
   * @throws RejectedInputException EMPTY for zero bytes, DECODE_FAILED for unknown magic bytes or a
   *     header that is cut short or inconsistent
   */
  public static Dimensions read(byte[] bytes) throws RejectedInputException {
    if (bytes.length == 0) {
      throw new RejectedInputException(RejectReason.EMPTY, "empty input (0 bytes)");
    }
    ImageFormat format = ImageFormat.sniff(bytes).orElseThrow(() -> new RejectedInputException(
        RejectReason.DECODE_FAILED,
        "not a PNG/JPEG/BMP/TIFF file (first bytes " + firstBytes(bytes) + ")"));
    Dimensions d = switch (format) {
      case PNG -> png(bytes);
      case JPEG -> jpeg(bytes);
      case BMP -> bmp(bytes);
      case TIFF -> tiff(bytes);
    };
    if (d.width() <= 0 || d.height() <= 0) {
      throw failed(format + " header declares " + d.width() + "x" + d.height() + " pixels");
    }
    return d;
  }

  /**
   * Checks that the container is complete: a PNG's chunks run to IEND, a JPEG has its end-of-image
   * marker after the scan data, an uncompressed BMP holds all its rows. TIFF is left to libtiff.
   *
   * @throws RejectedInputException DECODE_FAILED naming what is missing
   */
  public static void checkComplete(ImageFormat format, byte[] bytes) throws RejectedInputException {
    switch (format) {
      case PNG -> pngChunks(bytes);
      case JPEG -> jpegEnd(bytes);
      case BMP -> bmpSize(bytes);
      case TIFF -> { }
    }
  }

  /** The first four bytes in lower-case hex, space-separated, for messages. */
  static String firstBytes(byte[] bytes) {
    int n = Math.min(4, bytes.length);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(' ');
      }
      sb.append(HexFormat.of().toHexDigits(bytes[i]));
    }
    return sb.toString();
  }

  // PNG: 8-byte signature, then the IHDR chunk: length, "IHDR", width, height (big-endian).
  private static Dimensions png(byte[] b) throws RejectedInputException {
    if (b.length < 24 || !type(b, 12).equals("IHDR")) {
      throw failed("PNG header cut short or without IHDR chunk");
    }
    long w = u32be(b, 16);
    long h = u32be(b, 20);
    return new Dimensions(ImageFormat.PNG, clamp(w), clamp(h));
  }

  private static void pngChunks(byte[] b) throws RejectedInputException {
    int pos = 8;
    while (true) {
      if (pos + 8 > b.length) {
        throw failed("truncated PNG: data end at byte " + b.length + " before the IEND chunk");
      }
      long len = u32be(b, pos);
      String type = type(b, pos + 4);
      if (type.equals("IEND")) {
        return;
      }
      long next = pos + 12L + len;
      if (next > b.length) {
        throw failed("truncated PNG: chunk " + type + " at byte " + pos + " declares " + len
            + " bytes, " + Math.max(0, b.length - pos - 8) + " remain");
      }
      pos = (int) next;
    }
  }

  // JPEG: markers FF xx; standalone markers have no length; SOFn carries precision, height, width.
  private static Dimensions jpeg(byte[] b) throws RejectedInputException {
    int pos = 2;
    while (pos + 1 < b.length) {
      if ((b[pos] & 0xFF) != 0xFF) {
        throw failed("JPEG marker expected at byte " + pos);
      }
      int marker = b[pos + 1] & 0xFF;
      if (marker == 0xFF) { // fill byte
        pos++;
        continue;
      }
      if (marker == 0x01 || marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7)) {
        pos += 2;
        continue;
      }
      if (marker == 0xD9 || marker == 0xDA) {
        throw failed("JPEG has no frame header (SOF) before its scan data");
      }
      if (pos + 4 > b.length) {
        break;
      }
      int len = u16be(b, pos + 2);
      boolean sof = marker >= 0xC0 && marker <= 0xCF
          && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
      if (sof) {
        if (pos + 9 > b.length) {
          break;
        }
        int h = u16be(b, pos + 5);
        int w = u16be(b, pos + 7);
        return new Dimensions(ImageFormat.JPEG, w, h);
      }
      pos += 2 + len;
    }
    throw failed("truncated JPEG: no frame header (SOF) in " + b.length + " bytes");
  }

  private static void jpegEnd(byte[] b) throws RejectedInputException {
    int sos = -1;
    int pos = 2;
    while (pos + 3 < b.length) { // find the first start-of-scan by walking the segments
      int marker = b[pos + 1] & 0xFF;
      if ((b[pos] & 0xFF) != 0xFF) {
        break;
      }
      if (marker == 0xFF) {
        pos++;
        continue;
      }
      if (marker == 0x01 || marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7)) {
        pos += 2;
        continue;
      }
      if (marker == 0xDA) {
        sos = pos;
        break;
      }
      pos += 2 + u16be(b, pos + 2);
    }
    if (sos < 0) {
      throw failed("truncated JPEG: no scan data");
    }
    // Entropy-coded data never holds FF D9 (FF is stuffed as FF 00), so the last EOI must follow
    // the first scan; trailing bytes after it (some cameras append data) are tolerated.
    for (int i = b.length - 2; i > sos; i--) {
      if ((b[i] & 0xFF) == 0xFF && (b[i + 1] & 0xFF) == 0xD9) {
        return;
      }
    }
    throw failed("truncated JPEG: no end-of-image marker (FF D9) after the scan data");
  }

  // BMP: 14-byte file header; the info header starts with its size. 12 = OS/2 core header (16-bit
  // sizes), otherwise BITMAPINFOHEADER and its successors (32-bit signed; negative height = top-down).
  private static Dimensions bmp(byte[] b) throws RejectedInputException {
    if (b.length < 26) {
      throw failed("BMP header cut short");
    }
    long headerSize = u32le(b, 14);
    if (headerSize == 12) {
      return new Dimensions(ImageFormat.BMP, u16le(b, 18), u16le(b, 20));
    }
    if (headerSize < 40 || b.length < 30) {
      throw failed("BMP info header of unknown size " + headerSize);
    }
    int w = (int) u32le(b, 18);
    int h = (int) u32le(b, 22);
    return new Dimensions(ImageFormat.BMP, w, h == Integer.MIN_VALUE ? 0 : Math.abs(h));
  }

  private static void bmpSize(byte[] b) throws RejectedInputException {
    if (b.length < 34 || u32le(b, 14) < 40) {
      return;
    }
    long compression = u32le(b, 30);
    if (compression != 0) { // only uncompressed rows have a predictable size
      return;
    }
    long offBits = u32le(b, 10);
    long w = (int) u32le(b, 18);
    long h = Math.abs((long) (int) u32le(b, 22));
    int bpp = u16le(b, 28);
    long stride = ((bpp * w + 31) / 32) * 4;
    long need = offBits + stride * h;
    if (need > b.length) {
      throw failed("truncated BMP: pixel rows need " + need + " bytes, file has " + b.length);
    }
  }

  // TIFF: byte order II/MM, 42, offset of the first IFD; its entries are 12 bytes: tag, type,
  // count, value. ImageWidth = 256, ImageLength = 257, as SHORT (3) or LONG (4).
  private static Dimensions tiff(byte[] b) throws RejectedInputException {
    boolean le = b[0] == 'I';
    if (u16(b, 2, le) == 43) {
      throw failed("BigTIFF is not supported");
    }
    if (b.length < 8) {
      throw failed("TIFF header cut short");
    }
    long ifd = u32(b, 4, le);
    if (ifd + 2 > b.length) {
      throw failed("truncated TIFF: first IFD at byte " + ifd + ", file has " + b.length);
    }
    int n = u16(b, (int) ifd, le);
    long w = -1;
    long h = -1;
    for (int i = 0; i < n; i++) {
      int e = (int) ifd + 2 + 12 * i;
      if (e + 12 > b.length) {
        throw failed("truncated TIFF: IFD entry " + i + " beyond the end of the file");
      }
      int tag = u16(b, e, le);
      int type = u16(b, e + 2, le);
      long value = type == 3 ? u16(b, e + 8, le) : type == 4 ? u32(b, e + 8, le) : -1;
      if (tag == 256) {
        w = value;
      } else if (tag == 257) {
        h = value;
      }
    }
    if (w < 0 || h < 0) {
      throw failed("TIFF first IFD has no ImageWidth/ImageLength");
    }
    return new Dimensions(ImageFormat.TIFF, clamp(w), clamp(h));
  }

  private static RejectedInputException failed(String detail) {
    return new RejectedInputException(RejectReason.DECODE_FAILED, detail);
  }

  private static int clamp(long v) {
    return (int) Math.min(v, Integer.MAX_VALUE);
  }

  private static String type(byte[] b, int at) {
    if (at + 4 > b.length) {
      return "";
    }
    return new String(b, at, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  private static long u32be(byte[] b, int at) {
    return ((long) (b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16)
        | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
  }

  private static int u16be(byte[] b, int at) {
    return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
  }

  private static long u32le(byte[] b, int at) {
    return ((long) (b[at + 3] & 0xFF) << 24) | ((b[at + 2] & 0xFF) << 16)
        | ((b[at + 1] & 0xFF) << 8) | (b[at] & 0xFF);
  }

  private static int u16le(byte[] b, int at) {
    return ((b[at + 1] & 0xFF) << 8) | (b[at] & 0xFF);
  }

  private static long u32(byte[] b, int at, boolean le) {
    return le ? u32le(b, at) : u32be(b, at);
  }

  private static int u16(byte[] b, int at, boolean le) {
    return le ? u16le(b, at) : u16be(b, at);
  }
}
