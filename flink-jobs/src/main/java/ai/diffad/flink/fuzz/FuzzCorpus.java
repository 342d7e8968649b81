package ai.diffad.flink.fuzz;

import ai.diffad.denoise.io.ImageEncoder;
import ai.diffad.denoise.io.ImageFormat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The valid inputs the fuzzer mutates, made in memory: PNG (8-bit gray, RGB and RGBA, 16-bit
 * gray and RGB), JPEG (gray, colour), TIFF (8 and 16 bit), BMP (gray, colour) through OpenCV's
 * encoders, and 2-channel series as .npy (float32 C order, float64 Fortran order, written by
 * hand), CSV (with a time column, plain, semicolons) and JSON rows. Always the same bytes, so a
 * case depends on its {@code (seed, index)} alone.
 */
public final class FuzzCorpus {
  /** Channels of the series seeds (the series model's). */
  public static final int SERIES_CHANNELS = 2;
  /** Time steps of the series seeds. */
  public static final int SERIES_LENGTH = 40;

  /**
   * One valid input.
   *
   * @param name e.g. {@code png-gray16}
   * @param image an image (else a series)
   * @param format the image format, or null for a series
   * @param extension the file extension with its dot
   * @param bytes the encoded input
   * @param height image rows, or 1 for a series
   * @param width image columns, or the series' time steps
   */
  public record Seed(String name, boolean image, ImageFormat format, String extension,
      byte[] bytes, int height, int width) {}

  private final List<Seed> seeds;

  private FuzzCorpus(List<Seed> seeds) {
    this.seeds = List.copyOf(seeds);
  }

  /** The seeds. */
  public List<Seed> seeds() {
    return seeds;
  }

  /** The image seeds. */
  public List<Seed> images() {
    return seeds.stream().filter(Seed::image).toList();
  }

  /** The series seeds. */
  public List<Seed> series() {
    return seeds.stream().filter(s -> !s.image()).toList();
  }

  /** Builds the corpus (needs OpenCV's natives for the image encoders). */
  public static FuzzCorpus build() {
    SplittableRandom rng = new SplittableRandom(20261202L);
    List<Seed> s = new ArrayList<>();
    s.add(image("png-gray8", ImageFormat.PNG, 1, 24, 32, false, 8, rng));
    s.add(image("png-rgb8", ImageFormat.PNG, 3, 17, 9, false, 8, rng));
    s.add(image("png-rgba8", ImageFormat.PNG, 3, 12, 12, true, 8, rng));
    s.add(image("png-gray16", ImageFormat.PNG, 1, 20, 15, false, 16, rng));
    s.add(image("png-rgb16", ImageFormat.PNG, 3, 8, 11, false, 16, rng));
    s.add(image("jpeg-gray", ImageFormat.JPEG, 1, 24, 32, false, 8, rng));
    s.add(image("jpeg-rgb", ImageFormat.JPEG, 3, 19, 21, false, 8, rng));
    s.add(image("tiff-gray8", ImageFormat.TIFF, 1, 16, 10, false, 8, rng));
    s.add(image("tiff-rgb16", ImageFormat.TIFF, 3, 9, 13, false, 16, rng));
    s.add(image("bmp-rgb", ImageFormat.BMP, 3, 14, 7, false, 8, rng));
    s.add(image("bmp-gray", ImageFormat.BMP, 1, 10, 16, false, 8, rng));
    float[][] v = series(rng);
    s.add(new Seed("npy-f4", false, null, ".npy", npy("<f4", false, "(" + SERIES_LENGTH + ", "
        + SERIES_CHANNELS + ")", npyData(v, 4, false)), 1, SERIES_LENGTH));
    s.add(new Seed("npy-f8-fortran", false, null, ".npy", npy("<f8", true, "(" + SERIES_LENGTH
        + ", " + SERIES_CHANNELS + ")", npyData(v, 8, true)), 1, SERIES_LENGTH));
    s.add(new Seed("csv-time", false, null, ".csv", csv(v, ',', true, true), 1, SERIES_LENGTH));
    s.add(new Seed("csv-plain", false, null, ".csv", csv(v, ',', false, false), 1, SERIES_LENGTH));
    s.add(new Seed("csv-semicolon", false, null, ".csv", csv(v, ';', true, false), 1, SERIES_LENGTH));
    s.add(new Seed("json-rows", false, null, ".json", json(v), 1, SERIES_LENGTH));
    return new FuzzCorpus(s);
  }

  private static Seed image(String name, ImageFormat f, int c, int h, int w, boolean alpha,
      int bits, SplittableRandom rng) {
    float[] data = new float[c * h * w];
    for (int i = 0; i < data.length; i++) { // a gradient with noise: something for JPEG to code
      int x = i % w;
      data[i] = (float) Math.max(-1, Math.min(1, (2.0 * x / w - 1) * 0.7 + rng.nextGaussian() * 0.3));
    }
    float[] a = null;
    if (alpha) {
      a = new float[h * w];
      for (int i = 0; i < a.length; i++) {
        a[i] = (float) (rng.nextDouble() * 2 - 1);
      }
    }
    return new Seed(name, true, f, f.extension(), ImageEncoder.encode(data, c, h, w, a, bits, f), h, w);
  }

  /** (C, L) raw sensor values: a sine and a ramp with noise, around 10 and 0. */
  private static float[][] series(SplittableRandom rng) {
    float[][] v = new float[SERIES_CHANNELS][SERIES_LENGTH];
    for (int t = 0; t < SERIES_LENGTH; t++) {
      v[0][t] = (float) (10 + 2 * Math.sin(t / 3.0) + rng.nextGaussian() * 0.1);
      v[1][t] = (float) (t / 40.0 + rng.nextGaussian() * 0.05);
    }
    return v;
  }

  /** An .npy file (version 1) with this header and these data bytes. */
  public static byte[] npy(String descr, boolean fortran, String shape, byte[] data) {
    return npy(1, "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False")
        + ", 'shape': " + shape + ", }", data);
  }

  /** An .npy file of any version with this header dict text (padded to 64 bytes, newline). */
  public static byte[] npy(int version, String dict, byte[] data) {
    int pre = version == 1 ? 10 : 12;
    StringBuilder h = new StringBuilder(dict);
    while ((pre + h.length() + 1) % 64 != 0) {
      h.append(' ');
    }
    h.append('\n');
    byte[] header = h.toString().getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer b = ByteBuffer.allocate(pre + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) version).put((byte) 0);
    if (version == 1) {
      b.putShort((short) header.length);
    } else {
      b.putInt(header.length);
    }
    b.put(header).put(data);
    return b.array();
  }

  /** The (L, C) values as little-endian floats of {@code itemSize} bytes, C or Fortran order. */
  static byte[] npyData(float[][] v, int itemSize, boolean fortran) {
    int c = v.length;
    int len = v[0].length;
    ByteBuffer b = ByteBuffer.allocate(c * len * itemSize).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < c * len; i++) {
      int t = fortran ? i % len : i / c;
      int k = fortran ? i / len : i % c;
      if (itemSize == 4) {
        b.putFloat(v[k][t]);
      } else {
        b.putDouble(v[k][t]);
      }
    }
    return b.array();
  }

  private static byte[] csv(float[][] v, char sep, boolean header, boolean time) {
    StringBuilder sb = new StringBuilder();
    if (header) {
      sb.append(time ? "time" + sep : "").append("pressure").append(sep).append("flow\n");
    }
    for (int t = 0; t < v[0].length; t++) {
      if (time) {
        sb.append(String.format(Locale.ROOT, "2026-01-01T00:%02d:%02dZ", t / 60, t % 60)).append(sep);
      }
      sb.append(v[0][t]).append(sep).append(v[1][t]).append('\n');
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] json(float[][] v) {
    StringBuilder sb = new StringBuilder("[");
    for (int t = 0; t < v[0].length; t++) {
      sb.append(t == 0 ? "" : ", ").append('[').append(v[0][t]).append(", ").append(v[1][t]).append(']');
    }
    return sb.append("]\n").toString().getBytes(StandardCharsets.UTF_8);
  }
}
