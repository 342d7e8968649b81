package ai.diffad.flink.fuzz;

import static ai.diffad.denoise.record.RejectReason.DECODE_FAILED;
import static ai.diffad.denoise.record.RejectReason.EMPTY;
import static ai.diffad.denoise.record.RejectReason.MALFORMED;
import static ai.diffad.denoise.record.RejectReason.NON_FINITE_VALUES;
import static ai.diffad.denoise.record.RejectReason.TOO_LARGE;
import static ai.diffad.denoise.record.RejectReason.TOO_SHORT;
import static ai.diffad.denoise.record.RejectReason.UNREADABLE;
import static ai.diffad.denoise.record.RejectReason.UNSUPPORTED_SHAPE;

import ai.diffad.denoise.io.ImageFormat;
import ai.diffad.flink.fuzz.FuzzCase.Expect;
import ai.diffad.flink.fuzz.FuzzCase.Model;
import ai.diffad.flink.fuzz.FuzzCase.Route;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

/**
 * Makes fuzz case {@code index} of run {@code seed}: picks a valid seed from the {@link FuzzCorpus},
 * mutates it (bit flips, byte runs, truncation, header fields with and without a fixed CRC, huge
 * claimed sizes, wrong extensions, a model that takes the other kind of input) or builds a Kafka
 * message around it (base64 and path payloads, tensors, deeply nested or enormous JSON, invalid
 * UTF-8, base64 of garbage, fields of the wrong type), and says what the outcome must be where
 * that is known. The same {@code (seed, index)} always gives the same case.
 */
public final class FuzzGenerator {
  /** Pixel cap of the engine the cases are made for (a header over it must be TOO_LARGE). */
  public static final long MAX_PIXELS = 4L << 20;
  /** Value cap of the engine the cases are made for. */
  public static final long MAX_SENSOR_VALUES = 20_000;
  /** Inline (base64) cap the cases are made for: 256 KiB (enormous fields stay cheap to make). */
  public static final long MAX_INLINE_BYTES = 256L << 10;
  /** The series model's window. */
  public static final int WINDOW = 8;
  /** The image model's channels. */
  public static final int IMAGE_CHANNELS = 3;

  private final FuzzCorpus corpus;

  /** A generator over {@code corpus}. */
  public FuzzGenerator(FuzzCorpus corpus) {
    this.corpus = corpus;
  }

  /** What a byte mutation made, and what decoding it with the matching model must give. */
  private record Mutated(String kind, byte[] bytes, Expect expect) {}

  /** The random stream of case {@code index}: depends on {@code (seed, index)} only. */
  static SplittableRandom rng(long seed, int index) {
    long z = seed * 0x9E3779B97F4A7C15L + index * 0xC2B2AE3D27D4EB4FL + 0x165667B19E3779F9L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return new SplittableRandom(z ^ (z >>> 31));
  }

  /** Case {@code index} of run {@code seed}. */
  public FuzzCase generate(long seed, int index) {
    SplittableRandom r = rng(seed, index);
    int family = r.nextInt(100);
    if (family < 25) {
      return kafkaJson(seed, index, r);
    }
    boolean image = family < 65;
    FuzzCorpus.Seed s = pick(r, image ? corpus.images() : corpus.series());
    Mutated m = image ? mutateImage(s, r) : mutateSeries(s, r);
    Model model = image ? Model.IMAGE : Model.SERIES;
    String kind = s.name() + "/" + m.kind();
    Expect expect = m.expect();
    String ext = s.extension();
    int twist = r.nextInt(100);
    if (twist < 6) { // the other model
      model = image ? Model.SERIES : Model.IMAGE;
      kind += "+other-model";
      expect = m.bytes().length == 0 ? Expect.rejected(EMPTY)
          : !image ? Expect.rejected(DECODE_FAILED)
          : m.kind().equals("valid") ? Expect.rejected(UNSUPPORTED_SHAPE) : Expect.REJECTED;
    } else if (twist < 14) { // a wrong extension
      ext = pick(r, new String[] {".npy", ".csv", ".json", ".txt", "", ".PNG", ".jpg", ".tif", ".bmp"});
      kind += "+ext" + (ext.isEmpty() ? "(none)" : ext);
      expect = wrongExtension(image, s, m, ext);
    }
    int route = r.nextInt(100);
    if (route < 50 || kind.contains("+ext")) {
      String fileName = "case-" + index + ext;
      if (route >= 80) { // a Kafka record naming the file
        return kafkaPath(seed, index, kind, model, fileName, m.bytes(), expect, r);
      }
      return new FuzzCase(seed, index, kind, Route.FILE, model, fileName, m.bytes(), null, expect);
    }
    // base64 carries no name: a series is sniffed (CSV / JSON / .npy), an image by its magic
    if (m.bytes().length == 0) {
      expect = Expect.rejected(EMPTY);
    }
    if (route < 70) {
      String b64 = Base64.getEncoder().encodeToString(m.bytes());
      return new FuzzCase(seed, index, kind, Route.BASE64, model, null, m.bytes(), null,
          overCap(b64.length()) ? Expect.rejected(TOO_LARGE) : expect);
    }
    if (route < 85) {
      boolean wrap = r.nextInt(4) == 0;
      String b64 = wrap ? Base64.getMimeEncoder().encodeToString(m.bytes()).replace("\r\n", "\n")
          : Base64.getEncoder().encodeToString(m.bytes());
      String json = "{\"id\": \"k" + index + "\", \"source\": \"fuzz\", \"base64\": \""
          + b64.replace("\n", "\\n") + "\"}";
      return kafka(seed, index, kind + "/kafka-base64" + (wrap ? "-wrapped" : ""), model,
          utf8(json), null, null, overCap(b64.length()) ? Expect.rejected(TOO_LARGE) : expect);
    }
    return kafkaPath(seed, index, kind, model, "case-" + index + s.extension(), m.bytes(), expect, r);
  }

  /** Whether a base64 text of {@code chars} is over the inline cap (as the record check estimates). */
  private static boolean overCap(long chars) {
    return chars * 3 / 4 > MAX_INLINE_BYTES;
  }

  private static FuzzCase kafkaPath(long seed, int index, String kind, Model model,
      String fileName, byte[] file, Expect expect, SplittableRandom r) {
    String json = r.nextBoolean()
        ? "{\"id\": \"p" + index + "\", \"path\": \"" + fileName + "\"}"
        : "{\"path\": \"./" + fileName + "\", \"source\": \"fuzz\"}";
    return kafka(seed, index, kind + "/kafka-path", model, utf8(json), fileName, file, expect);
  }

  private static FuzzCase kafka(long seed, int index, String kind, Model model, byte[] message,
      String fileName, byte[] attachment, Expect expect) {
    return new FuzzCase(seed, index, kind, Route.KAFKA, model, fileName, message, attachment, expect);
  }

  /** What a mutated seed named with {@code ext} must give. */
  private static Expect wrongExtension(boolean image, FuzzCorpus.Seed s, Mutated m, String ext) {
    if (m.bytes().length == 0) {
      return Expect.rejected(EMPTY);
    }
    if (image) {
      return m.expect(); // images are decoded by their content, whatever the name
    }
    String e = ext.toLowerCase(Locale.ROOT);
    boolean named = e.equals(".npy") || e.equals(".csv") || e.equals(".json");
    if (!named || e.equals(s.extension())) {
      return m.expect(); // sniffed, or the right name
    }
    if (m.expect().any()) {
      return Expect.ANY;
    }
    return e.equals(".npy") ? Expect.rejected(MALFORMED) : Expect.REJECTED;
  }

  // ------------------------------------------------------------------ images

  private Mutated mutateImage(FuzzCorpus.Seed s, SplittableRandom r) {
    byte[] b = s.bytes().clone();
    Expect valid = Expect.decoded(s.height(), s.width());
    int k = r.nextInt(100);
    if (k < 6) {
      return new Mutated("valid", b, valid);
    }
    if (k < 18) {
      int n = 1 + r.nextInt(8);
      boolean head = r.nextBoolean();
      for (int i = 0; i < n; i++) {
        int at = head ? r.nextInt(Math.min(64, b.length)) : r.nextInt(b.length);
        b[at] ^= (byte) (1 << r.nextInt(8));
      }
      return new Mutated("bitflip" + n + (head ? "-header" : ""), b, Expect.ANY);
    }
    if (k < 26) {
      return new Mutated("byterun", byteRun(b, r), Expect.ANY);
    }
    if (k < 34) {
      int cut = 1 + r.nextInt(b.length - 1);
      // OpenCV writes a TIFF's IFD last: without just its 4-byte next-IFD link it is still whole
      boolean link = s.format() == ImageFormat.TIFF && cut >= b.length - 4;
      return new Mutated("truncate", Arrays.copyOf(b, cut), link ? Expect.ANY : Expect.REJECTED);
    }
    if (k < 35) {
      return new Mutated("truncate-to-0", new byte[0], Expect.rejected(EMPTY));
    }
    if (k < 40) {
      return new Mutated(r.nextBoolean() ? "insert" : "delete", insertOrDelete(b, r), Expect.ANY);
    }
    if (k < 43) {
      byte[] junk = new byte[1 + r.nextInt(300)];
      r.nextBytes(junk);
      return new Mutated("append-junk", concat(b, junk), valid);
    }
    if (k < 47) {
      FuzzCorpus.Seed o = pick(r, corpus.images());
      int a = r.nextInt(b.length);
      int c = r.nextInt(o.bytes().length);
      return new Mutated("splice-" + o.name(), concat(Arrays.copyOf(b, a),
          Arrays.copyOfRange(o.bytes(), c, o.bytes().length)), Expect.ANY);
    }
    if (k < 62) { // header dimensions: huge, zero, or changed within the cap
      long w;
      long h;
      String what;
      if (k < 54) {
        w = pick(r, new long[] {0xFFFFFFFFL, 0x7FFFFFFFL, 0x80000000L, 100_000, 65_535, 8_193});
        h = pick(r, new long[] {0xFFFFFFFFL, 0x7FFFFFFFL, 100_000, 65_535, 8_193, s.height()});
        what = "huge-dims";
      } else if (k < 57) {
        w = r.nextBoolean() ? 0 : 1 + r.nextInt(20);
        h = w == 0 ? 1 + r.nextInt(20) : 0;
        what = "zero-dim";
      } else {
        w = 1 + r.nextInt(2048);
        h = 1 + r.nextInt(2048);
        what = "dims";
      }
      Mutated m = dims(s, b, w, h, r);
      if (m != null) {
        return new Mutated(what + "-" + m.kind(), m.bytes(), m.expect());
      }
    }
    return headerField(s, b, r);
  }

  /**
   * Sets the width and height in the header; null if the format has no place for them. The
   * expectation follows from what the header then says: a zero dimension is DECODE_FAILED, more
   * pixels than the cap TOO_LARGE (before anything is decoded), else anything.
   */
  private static Mutated dims(FuzzCorpus.Seed s, byte[] b, long w, long h, SplittableRandom r) {
    long ew;
    long eh;
    String where;
    switch (s.format()) {
      case PNG -> {
        putU32be(b, 16, w);
        putU32be(b, 20, h);
        boolean crc = r.nextBoolean();
        if (crc) {
          fixPngCrc(b, 8);
        }
        ew = Math.min(w, Integer.MAX_VALUE);
        eh = Math.min(h, Integer.MAX_VALUE);
        where = "png" + (crc ? "+crc" : "");
      }
      case JPEG -> {
        int sof = jpegSof(b);
        if (sof < 0) {
          return null;
        }
        ew = Math.min(w, 0xFFFF);
        eh = Math.min(h, 0xFFFF);
        putU16be(b, sof + 5, (int) eh);
        putU16be(b, sof + 7, (int) ew);
        where = "jpeg-sof";
      }
      case BMP -> {
        ew = Math.min(w, 0x7FFFFFFFL);
        eh = Math.min(h, 0x7FFFFFFFL);
        boolean topDown = r.nextBoolean();
        putU32le(b, 18, ew);
        putU32le(b, 22, topDown ? -eh : eh);
        where = "bmp" + (topDown ? "-top-down" : "");
      }
      case TIFF -> {
        ew = setTiffTag(b, 256, w);
        eh = setTiffTag(b, 257, h);
        if (ew < 0 || eh < 0) {
          return null;
        }
        ew = Math.min(ew, Integer.MAX_VALUE);
        eh = Math.min(eh, Integer.MAX_VALUE);
        where = "tiff";
      }
      default -> {
        return null;
      }
    }
    Expect e = ew == 0 || eh == 0 ? Expect.rejected(DECODE_FAILED)
        : ew * eh > MAX_PIXELS ? Expect.rejected(TOO_LARGE) : Expect.ANY;
    return new Mutated(where + "=" + ew + "x" + eh, b, e);
  }

  /** One header field set to a random or extreme value (with a fixed CRC half the time). */
  private static Mutated headerField(FuzzCorpus.Seed s, byte[] b, SplittableRandom r) {
    long v = pick(r, new long[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 15, 16, 17, 24, 31, 32, 33, 64, 255,
        256, 65_535, 65_536, 0x7FFFFFFFL, 0xFFFFFFFFL, r.nextLong() & 0xFFFFFFFFL});
    switch (s.format()) {
      case PNG -> {
        String[] fields = {"width", "height", "bitdepth", "colortype", "compression", "filter",
            "interlace", "ihdr-length", "idat-length"};
        String f = pick(r, fields);
        switch (f) {
          case "width" -> putU32be(b, 16, v);
          case "height" -> putU32be(b, 20, v);
          case "bitdepth" -> b[24] = (byte) v;
          case "colortype" -> b[25] = (byte) v;
          case "compression" -> b[26] = (byte) v;
          case "filter" -> b[27] = (byte) v;
          case "interlace" -> b[28] = (byte) v;
          case "ihdr-length" -> putU32be(b, 8, v);
          default -> {
            int idat = indexOf(b, "IDAT".getBytes(StandardCharsets.US_ASCII));
            if (idat >= 4) {
              putU32be(b, idat - 4, v);
            }
            return new Mutated("png-idat-length=" + v, b,
                v > b.length ? Expect.rejected(DECODE_FAILED) : Expect.ANY);
          }
        }
        boolean crc = r.nextBoolean();
        if (crc && !f.equals("ihdr-length")) {
          fixPngCrc(b, 8);
        }
        return new Mutated("png-" + f + "=" + v + (crc ? "+crc" : ""), b,
            f.equals("ihdr-length") && v > b.length ? Expect.rejected(DECODE_FAILED) : Expect.ANY);
      }
      case JPEG -> {
        String f = pick(r, new String[] {"precision", "components", "huffman", "quant", "sos"});
        switch (f) {
          case "precision", "components" -> {
            int sof = jpegSof(b);
            if (sof >= 0) {
              b[sof + (f.equals("precision") ? 4 : 9)] = (byte) v;
            }
          }
          default -> {
            int marker = f.equals("huffman") ? 0xC4 : f.equals("quant") ? 0xDB : 0xDA;
            int at = segment(b, marker);
            if (at >= 0) {
              int len = ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
              int n = 1 + r.nextInt(6);
              for (int i = 0; i < n && len > 2; i++) { // bad Huffman / quant tables, scan header
                b[at + 4 + r.nextInt(len - 2)] = (byte) r.nextInt(256);
              }
            }
          }
        }
        return new Mutated("jpeg-" + f + (f.equals("precision") || f.equals("components") ? "=" + (v & 0xFF) : ""),
            b, Expect.ANY);
      }
      case BMP -> {
        String f = pick(r, new String[] {"bpp", "compression", "offbits", "headersize", "planes", "colors"});
        switch (f) {
          case "bpp" -> putU16le(b, 28, (int) (v & 0xFFFF));
          case "compression" -> putU32le(b, 30, v);
          case "offbits" -> putU32le(b, 10, v);
          case "headersize" -> putU32le(b, 14, v);
          case "planes" -> putU16le(b, 26, (int) (v & 0xFFFF));
          default -> putU32le(b, 46, v);
        }
        return new Mutated("bmp-" + f + "=" + v, b, Expect.ANY);
      }
      case TIFF -> {
        int tag = pick(r, new int[] {256, 257, 258, 259, 262, 273, 277, 278, 279, 284, 317, 339});
        setTiffTag(b, tag, v);
        return new Mutated("tiff-tag" + tag + "=" + v, b, Expect.ANY);
      }
      default -> {
        return new Mutated("unchanged", b, Expect.ANY);
      }
    }
  }

  // ------------------------------------------------------------------ series

  private Mutated mutateSeries(FuzzCorpus.Seed s, SplittableRandom r) {
    Expect valid = Expect.decoded(1, s.width());
    int k = r.nextInt(100);
    if (k < 8) {
      return new Mutated("valid", s.bytes().clone(), valid);
    }
    if (k < 30) {
      byte[] b = s.bytes().clone();
      int g = r.nextInt(4);
      if (g == 0) {
        int n = 1 + r.nextInt(8);
        for (int i = 0; i < n; i++) {
          b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
        }
        return new Mutated("bitflip" + n, b, Expect.ANY);
      }
      if (g == 1) {
        return new Mutated("byterun", byteRun(b, r), Expect.ANY);
      }
      if (g == 2) {
        return new Mutated("truncate", Arrays.copyOf(b, 1 + r.nextInt(b.length - 1)), Expect.ANY);
      }
      return new Mutated("insert-or-delete", insertOrDelete(b, r), Expect.ANY);
    }
    if (s.extension().equals(".npy")) {
      return mutateNpy(s, r, valid);
    }
    if (s.extension().equals(".json")) {
      return mutateJsonSeries(s, r, valid);
    }
    return mutateCsv(s, r, valid);
  }

  private static Mutated mutateNpy(FuzzCorpus.Seed s, SplittableRandom r, Expect valid) {
    boolean f8 = s.name().contains("f8");
    String descr = f8 ? "<f8" : "<f4";
    boolean fortran = s.name().contains("fortran");
    int len = FuzzCorpus.SERIES_LENGTH;
    int c = FuzzCorpus.SERIES_CHANNELS;
    String shape = "(" + len + ", " + c + ")";
    int header = headerEnd(s.bytes());
    byte[] data = Arrays.copyOfRange(s.bytes(), header, s.bytes().length);
    int k = r.nextInt(19);
    return switch (k) {
      case 0 -> new Mutated("npy-shape-huge", FuzzCorpus.npy(descr, fortran,
          pick(r, new String[] {"(10000000000, 2)", "(20001, 1)", "(10001, 2)", "(9223372036854775807,)",
              "(4294967296, 4294967295)"}), data), Expect.rejected(TOO_LARGE));
      case 1 -> new Mutated("npy-shape-overflow", FuzzCorpus.npy(descr, fortran,
          pick(r, new String[] {"(40, 2305843009213693954)", "(4611686018427387944, 4)",
              "(4294967296, 4294967296)", "(3037000500, 3037000500)", "(2305843009213693954, 8)",
              "(9223372036854775807, 2)"}), data), Expect.rejected(TOO_LARGE));
      case 2 -> new Mutated("npy-shape-negative", FuzzCorpus.npy(descr, fortran,
          pick(r, new String[] {"(-1, -1)", "(-40, -2)", "(-80,)", "(40, -2)", "(-2, -40)",
              "(-9223372036854775808, 2)"}), data),
          Expect.rejected(MALFORMED));
      case 3 -> new Mutated("npy-shape-rank", FuzzCorpus.npy(descr, fortran,
          pick(r, new String[] {"()", "(4, 10, 2)", "(1, 1, 1, 80)"}), data), Expect.rejected(UNSUPPORTED_SHAPE));
      case 4 -> new Mutated("npy-shape-text", FuzzCorpus.npy(descr, fortran,
          pick(r, new String[] {"(40.5, 2)", "(99999999999999999999, 2)", "(0x28, 2)", "(a, b)"}), data),
          Expect.rejected(MALFORMED));
      case 5 -> new Mutated("npy-shape-over-data", FuzzCorpus.npy(descr, fortran, "(400, 2)", data),
          Expect.rejected(MALFORMED));
      case 6 -> new Mutated("npy-shape-zero", FuzzCorpus.npy(descr, fortran,
          pick(r, new String[] {"(0, 2)", "(0,)", "(40, 0)"}), data), Expect.rejected(EMPTY));
      case 7 -> new Mutated("npy-shape-1d", FuzzCorpus.npy(descr, fortran, "(80,)", data),
          Expect.rejected(UNSUPPORTED_SHAPE));
      case 8 -> new Mutated("npy-shape-swapped", FuzzCorpus.npy(descr, fortran, "(2, 40)", data),
          Expect.rejected(TOO_SHORT));
      case 9 -> new Mutated("npy-dtype", FuzzCorpus.npy(pick(r, new String[] {"<i4", ">f4", "<f2",
          "|u1", "<c8", "<U3", "O", "<i8", ">f8", ""}), fortran, shape, data), Expect.rejected(UNSUPPORTED_SHAPE));
      case 10 -> new Mutated("npy-fortran-flipped", FuzzCorpus.npy(descr, !fortran, shape, data), valid);
      case 11 -> new Mutated("npy-missing-key", FuzzCorpus.npy(1, pick(r, new String[] {
          "{'descr': '" + descr + "', 'shape': " + shape + ", }",
          "{'fortran_order': False, 'shape': " + shape + ", }",
          "{'descr': '" + descr + "', 'fortran_order': False, }", "", "{}", "garbage"}), data),
          Expect.rejected(MALFORMED));
      case 12 -> {
        byte[] b = s.bytes().clone();
        b[8] = (byte) 0xFF;
        b[9] = (byte) 0xFF;
        yield new Mutated("npy-header-length-huge", b, Expect.rejected(MALFORMED));
      }
      case 13 -> {
        String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False")
            + ", 'shape': " + shape + ", }";
        int version = pick(r, new int[] {2, 3, 0, 4, 9, 255});
        byte[] b = FuzzCorpus.npy(version == 3 ? 3 : 2, dict, data);
        b[6] = (byte) version;
        yield new Mutated("npy-version" + version, b,
            version == 2 || version == 3 ? valid : Expect.rejected(MALFORMED));
      }
      case 14 -> {
        byte[] b = FuzzCorpus.npy(2, "{'descr': '" + descr + "', 'fortran_order': False, 'shape': "
            + shape + ", }", data);
        putU32le(b, 8, pick(r, new long[] {0xFFFFFFFFL, 0x7FFFFFFFL, 0x80000000L, 1L << 20}));
        yield new Mutated("npy2-header-length-huge", b, Expect.rejected(MALFORMED));
      }
      case 15 -> new Mutated("npy-data-truncated", Arrays.copyOf(s.bytes(),
          header + r.nextInt(data.length)), Expect.rejected(MALFORMED));
      case 16 -> {
        byte[] d = data.clone();
        ByteBuffer bb = ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN);
        int at = r.nextInt(d.length / (f8 ? 8 : 4)) * (f8 ? 8 : 4);
        double bad = pick(r, new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e300});
        if (f8) {
          bb.putDouble(at, bad);
        } else {
          bb.putFloat(at, (float) bad);
        }
        yield new Mutated("npy-non-finite", FuzzCorpus.npy(descr, fortran, shape, d),
            Expect.rejected(NON_FINITE_VALUES));
      }
      case 17 -> new Mutated("npy-short", FuzzCorpus.npy(descr, fortran, "(" + (WINDOW - 1) + ", 2)",
          Arrays.copyOf(data, (WINDOW - 1) * 2 * (f8 ? 8 : 4))), Expect.rejected(TOO_SHORT));
      default -> new Mutated("npy-trailing-bytes", concat(s.bytes(), new byte[1 + r.nextInt(64)]), valid);
    };
  }

  private static Mutated mutateCsv(FuzzCorpus.Seed s, SplittableRandom r, Expect valid) {
    String text = new String(s.bytes(), StandardCharsets.UTF_8);
    String[] lines = text.split("\n");
    boolean header = !Character.isDigit(lines[0].charAt(0)) && lines[0].charAt(0) != '-';
    char sep = s.name().contains("semicolon") ? ';' : ',';
    int firstData = header ? 1 : 0;
    int row = firstData + r.nextInt(lines.length - firstData);
    int k = r.nextInt(14);
    // A first row with a cell that is not a number is the header (SensorReader's rule): in a file
    // without one, such a first row is read as a header and the series is one step shorter.
    Expect headerNow = !header && row == 0 ? Expect.decoded(1, s.width() - 1) : null;
    switch (k) {
      case 0 -> {
        lines[row] = replaceLastCell(lines[row], sep, pick(r, new String[] {"NaN", "inf", "-Infinity", "+nan"}));
        return new Mutated("csv-non-finite", join(lines), Expect.rejected(NON_FINITE_VALUES));
      }
      case 1 -> {
        lines[row] = replaceLastCell(lines[row], sep, pick(r, new String[] {"1e39", "-3.5e38", "1e400"}));
        return new Mutated("csv-float-overflow", join(lines), Expect.rejected(NON_FINITE_VALUES));
      }
      case 2 -> {
        lines[row] = replaceLastCell(lines[row], sep, pick(r, new String[] {"abc", "1.2.3.4", "0x", "--1", "1e"}));
        return new Mutated("csv-non-numeric", join(lines), headerNow != null ? headerNow : Expect.rejected(MALFORMED));
      }
      case 3 -> {
        lines[row] = lines[row] + sep + "1.0";
        return new Mutated("csv-extra-column", join(lines), Expect.rejected(MALFORMED));
      }
      case 4 -> {
        return new Mutated("csv-header-only", utf8(lines[0] + "\n\n"),
            header ? Expect.rejected(EMPTY) : Expect.rejected(TOO_SHORT));
      }
      case 5 -> {
        return new Mutated("csv-short", join(Arrays.copyOf(lines, firstData + WINDOW - 1)),
            Expect.rejected(TOO_SHORT));
      }
      case 6 -> { // one enormous line: a number of up to 2 M digits
        int n = 1000 + r.nextInt(2_000_000);
        StringBuilder big = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
          big.append((char) ('0' + r.nextInt(10)));
        }
        lines[row] = big.toString();
        // as the first row of a headerless file it is data: one column holding a number that
        // overflows a double
        return new Mutated("csv-enormous-line", join(lines), headerNow != null
            ? Expect.rejected(NON_FINITE_VALUES) : Expect.rejected(MALFORMED));
      }
      case 7 -> { // one line of 100 k cells
        StringBuilder wide = new StringBuilder();
        for (int i = 0; i < 100_000; i++) {
          wide.append(i == 0 ? "" : String.valueOf(sep)).append(i % 10);
        }
        lines[row] = wide.toString();
        // the first data row of a headerless file sets the columns: then it is over the cap
        return new Mutated("csv-wide-line", join(lines), row == firstData && !header
            ? Expect.rejected(TOO_LARGE) : Expect.rejected(MALFORMED));
      }
      case 8 -> { // more rows than the value cap allows
        StringBuilder sb = new StringBuilder(text);
        int extra = (int) (MAX_SENSOR_VALUES / 2) + 10;
        String body = lines[lines.length - 1] + "\n";
        for (int i = 0; i < extra; i++) {
          sb.append(body);
        }
        return new Mutated("csv-over-cap", utf8(sb.toString()), Expect.rejected(TOO_LARGE));
      }
      case 9 -> { // invalid UTF-8 inside a value
        byte[] bad = pick(r, new byte[][] {{(byte) 0xC3, 0x28}, {(byte) 0xFF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
            {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xC0, (byte) 0xAF}});
        String cell = lines[row].substring(lines[row].lastIndexOf(sep) + 1);
        String before = join(Arrays.copyOf(lines, row), true) + lines[row].substring(0, lines[row].length() - cell.length());
        byte[] out = concat(concat(utf8(before), concat(utf8(cell.substring(0, 1)), bad)),
            utf8(cell.substring(1) + "\n" + join(Arrays.copyOfRange(lines, row + 1, lines.length), true)));
        return new Mutated("csv-invalid-utf8", out, headerNow != null ? headerNow : Expect.rejected(MALFORMED));
      }
      case 10 -> {
        lines[row] = "\"" + lines[row];
        return new Mutated("csv-unbalanced-quote", join(lines), Expect.REJECTED);
      }
      case 11 -> {
        return new Mutated("csv-bom-crlf", concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
            utf8(String.join("\r\n", lines) + "\r\n")), valid);
      }
      case 12 -> {
        return new Mutated("csv-blank-lines", utf8(String.join("\n\n  \n", lines) + "\n\n"), valid);
      }
      default -> {
        lines[row] = replaceLastCell(lines[row], sep, "");
        return new Mutated("csv-empty-cell", join(lines), headerNow != null ? headerNow : Expect.rejected(MALFORMED));
      }
    }
  }

  private static Mutated mutateJsonSeries(FuzzCorpus.Seed s, SplittableRandom r, Expect valid) {
    String text = new String(s.bytes(), StandardCharsets.UTF_8).trim();
    int k = r.nextInt(8);
    return switch (k) {
      case 0 -> {
        int depth = pick(r, new int[] {3, 100, 1_001, 10_000, 100_000});
        yield new Mutated("json-nested-" + depth, utf8("[".repeat(depth) + "1" + "]".repeat(depth)),
            Expect.rejected(UNSUPPORTED_SHAPE, MALFORMED));
      }
      case 1 -> new Mutated("json-rank1", utf8("[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]"), Expect.rejected(UNSUPPORTED_SHAPE));
      case 2 -> new Mutated("json-nan", utf8(text.replaceFirst("\\[\\[[^,]*,", "[[NaN,")), Expect.rejected(NON_FINITE_VALUES));
      case 3 -> new Mutated("json-ragged", utf8(text.replaceFirst("\\]\\]$", ", 3]]")), Expect.rejected(MALFORMED));
      case 4 -> new Mutated("json-trailing", utf8(text + " [1]"), Expect.rejected(MALFORMED));
      case 5 -> new Mutated("json-strings", utf8(text.replaceFirst("\\[\\[([^,]*),", "[[\"$1\",")), Expect.rejected(MALFORMED));
      case 6 -> new Mutated("json-huge-number", utf8(text.replaceFirst("\\[\\[([^,]*),", "[[1" + "0".repeat(
          pick(r, new int[] {40, 400, 5000})) + ",")), Expect.rejected(NON_FINITE_VALUES, MALFORMED));
      default -> new Mutated("json-object", utf8("{\"a\": " + text + "}"), Expect.rejected(MALFORMED, EMPTY));
    };
  }

  // ------------------------------------------------------------------ Kafka JSON

  private FuzzCase kafkaJson(long seed, int index, SplittableRandom r) {
    Model model = r.nextBoolean() ? Model.IMAGE : Model.SERIES;
    String id = "\"id\": \"j" + index + "\", \"source\": \"fuzz\"";
    FuzzCorpus.Seed s = pick(r, model == Model.IMAGE ? corpus.images() : corpus.series());
    String b64 = Base64.getEncoder().encodeToString(s.bytes());
    String good = "{" + id + ", \"base64\": \"" + b64 + "\"}";
    Expect valid = Expect.decoded(s.height(), s.width());
    int k = r.nextInt(30);
    String kind;
    String json;
    Expect expect;
    switch (k) {
      case 0 -> {
        kind = "valid-base64";
        json = good;
        expect = valid;
      }
      case 1, 2 -> {
        int h = 1 + r.nextInt(40);
        int w = 1 + r.nextInt(40);
        boolean series = model == Model.SERIES;
        int c = series ? 2 : pick(r, new int[] {1, 3});
        if (series) {
          w = WINDOW + r.nextInt(40);
        }
        boolean rank2 = !series && c == 1 && r.nextBoolean();
        String shape = series ? "[2, " + w + "]" : rank2 ? "[" + h + ", " + w + "]" : "[" + c + ", " + h + ", " + w + "]";
        int n = series ? 2 * w : c * h * w;
        kind = "tensor-valid";
        json = "{" + id + ", \"tensor\": {\"shape\": " + shape + ", \"data\": " + numbers(n, r, null) + "}}";
        expect = series ? Expect.decoded(1, w) : Expect.decoded(h, w);
      }
      case 3 -> {
        String bad = pick(r, new String[] {"1e400", "-1e400", "3.5e38"});
        int n = model == Model.SERIES ? 2 * WINDOW : 3 * 4 * 4;
        String shape = model == Model.SERIES ? "[2, " + WINDOW + "]" : "[3, 4, 4]";
        kind = "tensor-overflow-" + bad;
        json = "{" + id + ", \"tensor\": {\"shape\": " + shape + ", \"data\": " + numbers(n, r, bad) + "}}";
        expect = Expect.rejected(NON_FINITE_VALUES);
      }
      case 4 -> {
        String shape = pick(r, new String[] {"[2147483648, 1]", "[-1, 4]", "[0, 4]", "[]", "[4, 4]",
            "[100000, 100000]", "[65536, 65536, 65536, 65536]", "\"[2, 2]\"", "[2.5, 2]", "null"});
        kind = "tensor-bad-shape=" + shape;
        json = "{" + id + ", \"tensor\": {\"shape\": " + shape + ", \"data\": " + numbers(3, r, null) + "}}";
        expect = Expect.rejected(MALFORMED);
      }
      case 5 -> {
        String shape = model == Model.SERIES ? pick(r, new String[] {"[1, 2, 3]", "[1, 1, 1, 1, 6]"})
            : pick(r, new String[] {"[2, 1, 3]", "[6]", "[1, 1, 1, 6]", "[6, 1, 1]"});
        kind = "tensor-unsupported-rank";
        json = "{" + id + ", \"tensor\": {\"shape\": " + shape + ", \"data\": " + numbers(6, r, null) + "}}";
        expect = Expect.rejected(UNSUPPORTED_SHAPE);
      }
      case 6 -> {
        int depth = pick(r, new int[] {500, 1_001, 5_000, 100_000});
        String open = pick(r, new String[] {"[", "{\"a\":", "{\"id\":"});
        String close = open.equals("[") ? "]" : "}";
        boolean inField = r.nextBoolean();
        String nest = open.repeat(depth) + "1" + close.repeat(depth);
        kind = "deep-json-" + depth + (inField ? "-in-tensor" : "");
        json = inField ? "{" + id + ", \"tensor\": {\"shape\": " + nest + ", \"data\": [1]}}" : nest;
        expect = Expect.rejected(MALFORMED);
      }
      case 7 -> {
        int n = (int) MAX_SENSOR_VALUES + 2 + r.nextInt(20_000);
        n += n % 2;
        kind = "enormous-tensor-" + n;
        json = "{" + id + ", \"tensor\": {\"shape\": " + (model == Model.SERIES ? "[2, " + n / 2 + "]"
            : "[" + n / 1000 + ", 1000]") + ", \"data\": " + numbers(model == Model.SERIES ? n : n / 1000 * 1000, r, "0") + "}}";
        expect = Expect.rejected(TOO_LARGE);
        if (model == Model.IMAGE) {
          expect = Expect.decoded(n / 1000, 1000); // under the pixel cap: large but legal
        }
      }
      case 8 -> {
        int n = (int) (MAX_INLINE_BYTES / 3 * 4) + 100 + r.nextInt(1 << 18);
        kind = "enormous-string-field";
        json = "{\"id\": \"" + "x".repeat(n) + "\", \"base64\": \"" + b64 + "\"}";
        expect = Expect.rejected(TOO_LARGE);
      }
      case 9 -> {
        kind = "base64-over-cap";
        json = "{" + id + ", \"base64\": \"" + "QUFB".repeat((int) (MAX_INLINE_BYTES / 3) + 1 + r.nextInt(1000)) + "\"}";
        expect = Expect.rejected(TOO_LARGE);
      }
      case 10 -> {
        StringBuilder sb = new StringBuilder("{" + id + ", \"base64\": \"" + b64 + "\"");
        int n = 1 + r.nextInt(2_000);
        for (int i = 0; i < n; i++) {
          sb.append(", \"k").append(i).append("\": ").append(i);
        }
        kind = "many-unknown-keys";
        json = sb.append('}').toString();
        expect = Expect.rejected(MALFORMED);
      }
      case 11 -> {
        kind = "huge-number";
        json = "{" + id + ", \"tensor\": {\"shape\": [1" + "0".repeat(pick(r, new int[] {20, 1500, 100_000}))
            + "], \"data\": [1]}}";
        expect = Expect.rejected(MALFORMED);
      }
      case 12 -> {
        byte[] garbage = new byte[1 + r.nextInt(4096)];
        r.nextBytes(garbage);
        garbage[0] = (byte) ('a' + r.nextInt(26)); // no magic number, not '[' either
        kind = "base64-of-garbage";
        json = "{" + id + ", \"base64\": \"" + Base64.getEncoder().encodeToString(garbage) + "\"}";
        expect = model == Model.IMAGE ? Expect.rejected(DECODE_FAILED) : Expect.REJECTED;
      }
      case 13 -> {
        String bad = pick(r, new String[] {"%%%%", "iVBO_w0K", "iVBO-w0K", "iV=BORw0K", "é", "\\u0000AAA"});
        int at = r.nextInt(b64.length());
        kind = "base64-invalid";
        json = "{" + id + ", \"base64\": \"" + b64.substring(0, at) + bad + b64.substring(at) + "\"}";
        expect = Expect.rejected(MALFORMED);
      }
      case 14 -> {
        String f = pick(r, new String[] {"\"id\": {\"a\": 1}", "\"id\": [1]", "\"source\": {}",
            "\"tensor\": [1, 2]", "\"tensor\": \"x\"", "\"tensor\": {\"shape\": [1], \"data\": {\"a\": 1}}",
            "\"tensor\": {\"shape\": [1], \"data\": \"1\"}", "\"path\": [\"a\"]", "\"base64\": {}"});
        kind = "wrong-type";
        json = "{\"id\": \"w" + index + "\", " + f.replace("\"id\": \"w" + index + "\", ", "") + "}";
        if (f.startsWith("\"id\"")) {
          json = "{" + f + ", \"base64\": \"" + b64 + "\"}";
        } else if (f.startsWith("\"source\"")) {
          json = "{\"id\": \"w\", " + f + ", \"base64\": \"" + b64 + "\"}";
        }
        expect = Expect.rejected(MALFORMED);
      }
      case 15 -> {
        kind = "missing-id";
        json = "{\"source\": \"fuzz\", \"base64\": \"" + b64 + "\"}";
        expect = Expect.rejected(MALFORMED);
      }
      case 16 -> {
        kind = pick(r, new String[] {"two-payloads", "no-payload", "unknown-field", "null-id"});
        json = switch (kind) {
          case "two-payloads" -> "{" + id + ", \"path\": \"x.png\", \"base64\": \"" + b64 + "\"}";
          case "no-payload" -> "{" + id + "}";
          case "unknown-field" -> "{" + id + ", \"base64\": \"" + b64 + "\", \"extra\": true}";
          default -> "{\"id\": null, \"base64\": \"" + b64 + "\"}";
        };
        expect = Expect.rejected(MALFORMED);
      }
      case 17 -> {
        kind = "not-an-object";
        json = pick(r, new String[] {"[]", "[" + good + "]", "\"text\"", "42", "true", "null", "1e999"});
        expect = Expect.rejected(MALFORMED);
      }
      case 18 -> {
        kind = "empty-message";
        json = pick(r, new String[] {"", " ", "\n\t  \r\n"});
        expect = Expect.rejected(EMPTY);
      }
      case 19 -> {
        kind = "tombstone";
        return kafka(seed, index, "json/" + kind, model, null, null, null, Expect.rejected(EMPTY));
      }
      case 20 -> {
        kind = "truncated";
        json = good.substring(0, 1 + r.nextInt(good.length() - 1));
        expect = Expect.rejected(MALFORMED);
      }
      case 21 -> {
        byte[] b = utf8(good);
        int n = 1 + r.nextInt(6);
        for (int i = 0; i < n; i++) {
          b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
        }
        return kafka(seed, index, "json/bitflip" + n, model, b, null, null, Expect.ANY);
      }
      case 22 -> { // invalid UTF-8: in a string value, or between tokens
        byte[] bad = pick(r, new byte[][] {{(byte) 0xC3, 0x28}, {(byte) 0xFF, (byte) 0xFE}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
            {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0x80}});
        boolean inString = r.nextBoolean();
        byte[] head = utf8(inString ? "{\"id\": \"j" + index : "{\"id\": \"j" + index + "\",");
        byte[] tail = utf8(inString ? "\", \"base64\": \"" + b64 + "\"}" : " \"base64\": \"" + b64 + "\"}");
        return kafka(seed, index, "json/invalid-utf8" + (inString ? "-in-id" : "-between-tokens"), model,
            concat(concat(head, bad), tail), null, null, inString ? valid : Expect.rejected(MALFORMED));
      }
      case 23 -> {
        String p = pick(r, new String[] {"../outside.png", "/etc/passwd", "../../../../etc/hostname",
            "a/../../x.csv", "\\u0000x.png", "x\\u0000.npy", ".", "missing.png", "y".repeat(5000) + ".png",
            "sub/" + "z/".repeat(3000) + "f.csv"});
        kind = "path-" + (p.length() > 40 ? "long" : p.replaceAll("[^A-Za-z0-9.]", "_"));
        json = "{\"id\": \"q" + index + "\", \"path\": \"" + p + "\"}";
        expect = Expect.rejected(UNREADABLE);
      }
      case 24 -> {
        kind = "duplicate-key";
        json = "{\"id\": \"a\", \"id\": \"b\", \"base64\": \"" + b64 + "\"}";
        expect = Expect.ANY;
      }
      case 25 -> {
        kind = "bom";
        json = "\uFEFF" + good;
        expect = Expect.ANY;
      }
      case 26 -> {
        kind = "whitespace-padded";
        String pad = " \n\t".repeat(1 + r.nextInt(200_000));
        json = pad + good + pad;
        expect = valid;
      }
      case 27 -> {
        kind = "id-number";
        json = "{\"id\": " + r.nextInt(1000) + ", \"base64\": \"" + b64 + "\"}";
        expect = valid;
      }
      case 28 -> {
        kind = "base64-mime-wrapped";
        json = "{" + id + ", \"base64\": \"" + Base64.getMimeEncoder().encodeToString(s.bytes())
            .replace("\r\n", "\\r\\n") + "\"}";
        expect = valid;
      }
      default -> {
        kind = "base64-url-alphabet";
        String url = Base64.getUrlEncoder().encodeToString(s.bytes());
        json = "{" + id + ", \"base64\": \"" + url + "\"}";
        expect = url.equals(b64) ? valid : Expect.rejected(MALFORMED);
      }
    }
    return kafka(seed, index, "json/" + kind, model, utf8(json), null, null, expect);
  }

  /** A JSON array of {@code n} numbers in [-1, 1], one of them {@code bad} if given. */
  private static String numbers(int n, SplittableRandom r, String bad) {
    StringBuilder sb = new StringBuilder(n * 6).append('[');
    int at = bad == null ? -1 : r.nextInt(n);
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(',');
      }
      if (i == at) {
        sb.append(bad);
      } else if (bad != null && bad.equals("0")) {
        sb.append('0');
      } else {
        sb.append(String.format(Locale.ROOT, "%.3f", r.nextDouble() * 2 - 1));
      }
    }
    return sb.append(']').toString();
  }

  // ------------------------------------------------------------------ bytes

  private static byte[] byteRun(byte[] b, SplittableRandom r) {
    int at = r.nextInt(b.length);
    int n = Math.min(b.length - at, 1 + r.nextInt(64));
    int mode = r.nextInt(3);
    for (int i = 0; i < n; i++) {
      b[at + i] = mode == 0 ? 0 : mode == 1 ? (byte) 0xFF : (byte) r.nextInt(256);
    }
    return b;
  }

  private static byte[] insertOrDelete(byte[] b, SplittableRandom r) {
    int at = r.nextInt(b.length);
    if (r.nextBoolean()) {
      byte[] ins = new byte[1 + r.nextInt(64)];
      r.nextBytes(ins);
      return concat(concat(Arrays.copyOf(b, at), ins), Arrays.copyOfRange(b, at, b.length));
    }
    int n = Math.min(b.length - at, 1 + r.nextInt(64));
    return concat(Arrays.copyOf(b, at), Arrays.copyOfRange(b, at + n, b.length));
  }

  private static int jpegSof(byte[] b) {
    for (int m : new int[] {0xC0, 0xC1, 0xC2}) {
      int at = segment(b, m);
      if (at >= 0) {
        return at;
      }
    }
    return -1;
  }

  /** The offset of the first segment with this marker (walking the segments), or -1. */
  private static int segment(byte[] b, int marker) {
    int pos = 2;
    while (pos + 4 <= b.length && (b[pos] & 0xFF) == 0xFF) {
      int m = b[pos + 1] & 0xFF;
      if (m == marker) {
        return pos;
      }
      if (m == 0xDA || m == 0xD9) {
        return -1;
      }
      pos += 2 + (((b[pos + 2] & 0xFF) << 8) | (b[pos + 3] & 0xFF));
    }
    return -1;
  }

  /**
   * Sets a tag's value in a TIFF's first IFD (a SHORT keeps the low 16 bits); the value stored,
   * or -1 if the tag is absent.
   */
  private static long setTiffTag(byte[] b, int tag, long v) {
    boolean le = b[0] == 'I';
    ByteBuffer bb = ByteBuffer.wrap(b).order(le ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
    long ifd = bb.getInt(4) & 0xFFFFFFFFL;
    if (ifd + 2 > b.length) {
      return -1;
    }
    int n = bb.getShort((int) ifd) & 0xFFFF;
    for (int i = 0; i < n; i++) {
      int e = (int) ifd + 2 + 12 * i;
      if (e + 12 > b.length) {
        return -1;
      }
      if ((bb.getShort(e) & 0xFFFF) == tag) {
        int type = bb.getShort(e + 2) & 0xFFFF;
        if (type == 3) {
          bb.putShort(e + 8, (short) v);
          return v & 0xFFFF;
        }
        bb.putInt(e + 8, (int) v);
        return v & 0xFFFFFFFFL;
      }
    }
    return -1;
  }

  private static void fixPngCrc(byte[] b, int chunk) {
    int len = (int) Math.min(Integer.MAX_VALUE, ((b[chunk] & 0xFFL) << 24) | ((b[chunk + 1] & 0xFF) << 16)
        | ((b[chunk + 2] & 0xFF) << 8) | (b[chunk + 3] & 0xFF));
    if (len != 13 || chunk + 12 + len > b.length) {
      return;
    }
    CRC32 crc = new CRC32();
    crc.update(b, chunk + 4, 4 + len);
    putU32be(b, chunk + 8 + len, crc.getValue());
  }

  private static int headerEnd(byte[] npy) {
    int major = npy[6] & 0xFF;
    return major == 1 ? 10 + ((npy[8] & 0xFF) | ((npy[9] & 0xFF) << 8))
        : 12 + ByteBuffer.wrap(npy, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
  }

  private static String replaceLastCell(String line, char sep, String cell) {
    int at = line.lastIndexOf(sep);
    return line.substring(0, at + 1) + cell;
  }

  private static byte[] join(String[] lines) {
    return utf8(String.join("\n", lines) + "\n");
  }

  private static String join(String[] lines, boolean trailing) {
    return lines.length == 0 ? "" : String.join("\n", lines) + (trailing ? "\n" : "");
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    ByteArrayOutputStream o = new ByteArrayOutputStream(a.length + b.length);
    o.writeBytes(a);
    o.writeBytes(b);
    return o.toByteArray();
  }

  private static int indexOf(byte[] b, byte[] what) {
    outer:
    for (int i = 0; i + what.length <= b.length; i++) {
      for (int j = 0; j < what.length; j++) {
        if (b[i + j] != what[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static void putU32be(byte[] b, int at, long v) {
    b[at] = (byte) (v >>> 24);
    b[at + 1] = (byte) (v >>> 16);
    b[at + 2] = (byte) (v >>> 8);
    b[at + 3] = (byte) v;
  }

  private static void putU16be(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 8);
    b[at + 1] = (byte) v;
  }

  private static void putU32le(byte[] b, int at, long v) {
    b[at] = (byte) v;
    b[at + 1] = (byte) (v >>> 8);
    b[at + 2] = (byte) (v >>> 16);
    b[at + 3] = (byte) (v >>> 24);
  }

  private static void putU16le(byte[] b, int at, int v) {
    b[at] = (byte) v;
    b[at + 1] = (byte) (v >>> 8);
  }

  private static <T> T pick(SplittableRandom r, java.util.List<T> xs) {
    return xs.get(r.nextInt(xs.size()));
  }

  private static <T> T pick(SplittableRandom r, T[] xs) {
    return xs[r.nextInt(xs.length)];
  }

  private static long pick(SplittableRandom r, long[] xs) {
    return xs[r.nextInt(xs.length)];
  }

  private static int pick(SplittableRandom r, int[] xs) {
    return xs[r.nextInt(xs.length)];
  }

  private static double pick(SplittableRandom r, double[] xs) {
    return xs[r.nextInt(xs.length)];
  }

  /** The format of an image seed (for messages). */
  static String formatName(ImageFormat f) {
    return f == null ? "series" : f.name().toLowerCase(Locale.ROOT);
  }
}
