package ai.diffad.denoise.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.diffad.denoise.record.RejectReason;
import ai.diffad.denoise.record.RejectedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageDecoderTest {
  private final ImageDecoder decoder = new ImageDecoder(64L * 1024 * 1024);

  @TempDir Path dir;

  private static void assertRejected(ThrowingCallable call, RejectReason reason, String detail) {
    assertThatThrownBy(call)
        .isInstanceOf(RejectedInputException.class)
        .hasMessageContaining(detail)
        .satisfies(e -> assertThat(((RejectedInputException) e).reason()).isEqualTo(reason));
  }

  // ---- the bad-input corpus: one rejection each, with the right reason

  @Test
  void zeroByteFileIsEmpty() throws Exception {
    Path f = Files.write(dir.resolve("empty.png"), new byte[0]);
    assertRejected(() -> decoder.decode(f), RejectReason.EMPTY, "0 bytes");
  }

  @Test
  void truncatedPngFailsToDecode() throws Exception {
    byte[] png = TestImages.encode8(".png", 32, 32, 3, TestImages.pattern8(32, 32, 3));
    Path f = Files.write(dir.resolve("cut.png"), Arrays.copyOf(png, png.length / 2));
    assertRejected(() -> decoder.decode(f), RejectReason.DECODE_FAILED, "truncated PNG");
  }

  @Test
  void textNamedPngFailsToDecodeNamingItsFirstBytes() throws Exception {
    Path f = Files.writeString(dir.resolve("fake.png"), "{\"id\": 1, \"value\": 3}");
    assertRejected(() -> decoder.decode(f), RejectReason.DECODE_FAILED,
        "not a PNG/JPEG/BMP/TIFF file (first bytes 7b 22 69 64)");
  }

  @Test
  void pngClaimingTenGigapixelsIsTooLargeAndRefusedFromTheHeader() throws Exception {
    Path f = Files.write(dir.resolve("bomb.png"), TestImages.pngHeaderOnly(100_000, 100_000));
    long t0 = System.nanoTime();
    assertRejected(() -> decoder.decode(f), RejectReason.TOO_LARGE, "100000x100000");
    // Allocating 10^10 pixels would take far longer (or fail with OutOfMemoryError).
    assertThat((System.nanoTime() - t0) / 1e6).isLessThan(500.0);
  }

  @Test
  void pixelCapAppliesToTheHeaderProduct() {
    byte[] png = TestImages.encode8(".png", 10, 10, 1, TestImages.pattern8(10, 10, 1));
    assertRejected(() -> new ImageDecoder(99).decode("small", png), RejectReason.TOO_LARGE,
        "more than the cap of 99");
  }

  @Test
  void missingFileIsUnreadable() {
    assertRejected(() -> decoder.decode(dir.resolve("nope.png")), RejectReason.UNREADABLE,
        "no such file");
  }

  @Test
  void truncatedJpegFailsInsteadOfDecodingAGreyTail() {
    byte[] jpg = TestImages.encode8(".jpg", 64, 64, 3, TestImages.pattern8(64, 64, 3));
    byte[] cut = Arrays.copyOf(jpg, jpg.length - 100);
    assertRejected(() -> decoder.decode("cut.jpg", cut), RejectReason.DECODE_FAILED,
        "truncated JPEG");
  }

  @Test
  void truncatedBmpFails() {
    byte[] bmp = TestImages.encode8(".bmp", 20, 20, 3, TestImages.pattern8(20, 20, 3));
    byte[] cut = Arrays.copyOf(bmp, bmp.length - 60);
    assertRejected(() -> decoder.decode("cut.bmp", cut), RejectReason.DECODE_FAILED,
        "truncated BMP");
  }

  @Test
  void truncatedTiffFails() {
    byte[] tif = TestImages.encode8(".tif", 40, 40, 3, TestImages.pattern8(40, 40, 3));
    ImageHeaders.Dimensions d;
    try {
      d = ImageHeaders.read(tif);
    } catch (RejectedInputException e) {
      throw new AssertionError(e);
    }
    assertThat(d.width()).isEqualTo(40);
    byte[] shortened = Arrays.copyOf(tif, tif.length / 3);
    assertRejected(() -> decoder.decode("short.tif", shortened), RejectReason.DECODE_FAILED,
        "TIFF");
  }

  @Test
  void pngWithDamagedImageDataFails() {
    byte[] png = TestImages.encode8(".png", 32, 32, 1, TestImages.pattern8(32, 32, 1));
    byte[] bad = png.clone();
    // Overwrite the middle of the IDAT payload; the chunk structure stays intact.
    for (int i = 60; i < bad.length - 30; i++) {
      bad[i] = (byte) 0x55;
    }
    assertRejected(() -> decoder.decode("bad.png", bad), RejectReason.DECODE_FAILED, "bad.png");
  }

  // ---- what decodes, and how

  @Test
  void eightBitGrayPngDecodesToExactLevels() throws Exception {
    byte[] px = {0, (byte) 255, (byte) 128, 1, 2, 3};
    DecodedImage d = decoder.decode("g", TestImages.encode8(".png", 2, 3, 1, px));
    assertThat(d.channels()).isEqualTo(1);
    assertThat(d.sourceChannels()).isEqualTo(1);
    assertThat(d.bitDepth()).isEqualTo(8);
    assertThat(d.format()).isEqualTo(ImageFormat.PNG);
    assertThat(d.data()[0]).isEqualTo(-1f);
    assertThat(d.data()[1]).isEqualTo(1f);
    assertThat(d.data()[2]).isCloseTo(128 / 255f * 2 - 1, within(1e-6f));
  }

  @Test
  void bgrOnDiskComesOutAsRgbPlanes() throws Exception {
    // One pixel stored B=10, G=20, R=250.
    DecodedImage d = decoder.decode("c", TestImages.encode8(".bmp", 1, 1, 3,
        new byte[] {10, 20, (byte) 250}));
    assertThat(d.channels()).isEqualTo(3);
    assertThat(d.data()[0]).isCloseTo(250 / 255f * 2 - 1, within(1e-6f));
    assertThat(d.data()[1]).isCloseTo(20 / 255f * 2 - 1, within(1e-6f));
    assertThat(d.data()[2]).isCloseTo(10 / 255f * 2 - 1, within(1e-6f));
    assertThat(d.format()).isEqualTo(ImageFormat.BMP);
  }

  @Test
  void jpegDecodesCloseToItsSource() throws Exception {
    byte[] flat = new byte[16 * 16 * 3];
    Arrays.fill(flat, (byte) 200);
    DecodedImage d = decoder.decode("j", TestImages.encode8(".jpg", 16, 16, 3, flat));
    assertThat(d.format()).isEqualTo(ImageFormat.JPEG);
    assertThat(d.height()).isEqualTo(16);
    assertThat(d.bitDepth()).isEqualTo(8);
    assertThat(d.data()[100]).isCloseTo(200 / 255f * 2 - 1, within(0.03f));
  }

  @Test
  void sixteenBitPngAndTiffKeepTheirDepthAndPrecisionThroughTheEncoder() throws Exception {
    for (ImageFormat f : new ImageFormat[] {ImageFormat.PNG, ImageFormat.TIFF}) {
      short[] px = {0, 1000, (short) 40000, (short) 65535, 12345, 7};
      DecodedImage d = decoder.decode("x", TestImages.encode16(f.extension(), 2, 3, 1, px));
      assertThat(d.bitDepth()).as(f.name()).isEqualTo(16);
      assertThat(d.data()[1]).isCloseTo(1000 / 65535f * 2 - 1, within(1e-6f));

      byte[] again = ImageEncoder.encodeLike(d.data(), 1, d, f);
      DecodedImage e = decoder.decode("y", again);
      assertThat(e.bitDepth()).as(f.name()).isEqualTo(16);
      assertThat(e.format()).isEqualTo(f);
      for (int i = 0; i < px.length; i++) {
        assertThat(e.data()[i]).as(f + " pixel " + i).isCloseTo(d.data()[i], within(1e-6f));
      }
    }
  }

  @Test
  void rgbaKeepsItsAlphaSeparatelyAndWritesItBack() throws Exception {
    int h = 4;
    int w = 5;
    byte[] px = TestImages.pattern8(h, w, 4);
    DecodedImage d = decoder.decode("a", TestImages.encode8(".png", h, w, 4, px));
    assertThat(d.channels()).isEqualTo(3);
    assertThat(d.sourceChannels()).isEqualTo(4);
    assertThat(d.hasAlpha()).isTrue();
    assertThat(d.alpha()[7]).isCloseTo((px[7 * 4 + 3] & 0xFF) / 255f * 2 - 1, within(1e-6f));

    Path out = dir.resolve("out").resolve("a.png");
    ImageEncoder.writeLike(out, d.data(), 3, d);
    DecodedImage e = decoder.decode(out);
    assertThat(e.sourceChannels()).isEqualTo(4);
    assertThat(e.alpha()).containsExactly(d.alpha());
    assertThat(e.data()).containsExactly(d.data());
  }

  @Test
  void grayAndRgbConvertForTheModel() throws Exception {
    byte[] px = {10, 20, (byte) 250}; // B, G, R
    DecodedImage rgb = decoder.decode("c", TestImages.encode8(".png", 1, 1, 3, px));
    float[] gray = rgb.planes(1);
    float expected = 0.299f * rgb.data()[0] + 0.587f * rgb.data()[1] + 0.114f * rgb.data()[2];
    assertThat(gray).hasSize(1);
    assertThat(gray[0]).isCloseTo(expected, within(1e-6f));

    DecodedImage g = decoder.decode("g", TestImages.encode8(".png", 1, 2, 1, new byte[] {0, 51}));
    DecodedImage asRgb = g.withChannels(3);
    assertThat(asRgb.channels()).isEqualTo(3);
    assertThat(asRgb.data()).containsExactly(g.data()[0], g.data()[1], g.data()[0], g.data()[1],
        g.data()[0], g.data()[1]);
  }

  @Test
  void bytesAndFileGiveTheSameImage() throws Exception {
    byte[] png = TestImages.encode8(".png", 3, 3, 3, TestImages.pattern8(3, 3, 3));
    Path f = Files.write(dir.resolve("p.png"), png);
    assertThat(decoder.decode(f).data()).containsExactly(decoder.decode("p", png).data());
    assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).contains("IEND");
  }
}
