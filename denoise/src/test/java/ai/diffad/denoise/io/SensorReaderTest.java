package ai.diffad.denoise.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.diffad.denoise.record.RejectReason;
import ai.diffad.denoise.record.RejectedInputException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SensorReaderTest {
  private final SensorReader reader = new SensorReader(1_000_000, 1);

  @TempDir Path dir;

  private static void assertRejected(ThrowingCallable call, RejectReason reason, String detail) {
    assertThatThrownBy(call)
        .isInstanceOf(RejectedInputException.class)
        .hasMessageContaining(detail)
        .satisfies(e -> assertThat(((RejectedInputException) e).reason()).isEqualTo(reason));
  }

  private Path write(String name, String text) throws Exception {
    return Files.writeString(dir.resolve(name), text);
  }

  /** An .npy file (format 1.0) with the given descr, shape text and raw little-endian data. */
  static byte[] npy(String descr, String shape, boolean fortran, ByteBuffer data) {
    String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False")
        + ", 'shape': " + shape + ", }";
    int pad = 64 - (10 + dict.length() + 1) % 64;
    String header = dict + " ".repeat(pad % 64) + "\n";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
    out.write(header.length() & 0xFF);
    out.write(header.length() >> 8);
    out.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
    out.writeBytes(data.array());
    return out.toByteArray();
  }

  static ByteBuffer f32(float... v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float x : v) {
      b.putFloat(x);
    }
    return b;
  }

  static ByteBuffer f64(double... v) {
    ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (double x : v) {
      b.putDouble(x);
    }
    return b;
  }

  // ---- the bad-input corpus

  @Test
  void nanInCsvIsNonFiniteNamingRowAndColumn() throws Exception {
    Path f = write("nan.csv", "timestamp,a,b\n2026-01-01,1,2\n2026-01-02,3,NaN\n");
    assertRejected(() -> reader.read(f), RejectReason.NON_FINITE_VALUES,
        "line 3 (data row 2), column 'b': NaN");
  }

  @Test
  void infInCsvIsNonFinite() throws Exception {
    Path f = write("inf.csv", "value\n1\n-inf\n");
    assertRejected(() -> reader.read(f), RejectReason.NON_FINITE_VALUES, "line 3");
    Path g = write("inf2.csv", "value\n1\nInfinity\n");
    assertRejected(() -> reader.read(g), RejectReason.NON_FINITE_VALUES, "Infinity");
    Path h = write("big.csv", "value\n1\n1e300\n");
    assertRejected(() -> reader.read(h), RejectReason.NON_FINITE_VALUES, "overflows float32");
  }

  @Test
  void raggedCsvIsMalformedNamingLineAndColumnCounts() throws Exception {
    Path f = write("ragged.csv", "time,a,b\nt0,1,2\nt1,3\nt2,5,6\n");
    assertRejected(() -> reader.read(f), RejectReason.MALFORMED,
        "line 3 has 2 columns, the header (line 1) has 3");
  }

  @Test
  void nonNumericCellIsMalformed() throws Exception {
    Path f = write("word.csv", "a,b\n1,2\n3,four\n");
    assertRejected(() -> reader.read(f), RejectReason.MALFORMED,
        "line 3 (data row 2), column 'b': 'four' is not a number");
  }

  @Test
  void npyOfRankThreeIsUnsupportedShape() throws Exception {
    Path f = Files.write(dir.resolve("cube.npy"), npy("<f4", "(2, 2, 2)", false, f32(new float[8])));
    assertRejected(() -> reader.read(f), RejectReason.UNSUPPORTED_SHAPE, "rank-3 array of shape (2, 2, 2)");
  }

  @Test
  void npyOfIntegersIsUnsupportedShape() throws Exception {
    ByteBuffer ints = ByteBuffer.allocate(16);
    Path f = Files.write(dir.resolve("ints.npy"), npy("<i8", "(2,)", false, ints));
    assertRejected(() -> reader.read(f), RejectReason.UNSUPPORTED_SHAPE, "dtype '<i8'");
  }

  @Test
  void zeroByteSeriesIsEmpty() throws Exception {
    Path f = Files.write(dir.resolve("e.csv"), new byte[0]);
    assertRejected(() -> reader.read(f), RejectReason.EMPTY, "0 bytes");
    Path g = write("h.csv", "time,value\n\n");
    assertRejected(() -> reader.read(g), RejectReason.EMPTY, "no data rows");
  }

  @Test
  void seriesShorterThanAWindowIsTooShort() throws Exception {
    Path f = write("short.csv", "v\n1\n2\n3\n");
    assertRejected(() -> new SensorReader(1000, 4).read(f), RejectReason.TOO_SHORT,
        "3 time steps, fewer than one window of 4");
  }

  @Test
  void moreValuesThanTheCapIsTooLarge() throws Exception {
    Path csv = write("many.csv", "a,b\n1,2\n3,4\n5,6\n");
    assertRejected(() -> new SensorReader(5, 1).read(csv), RejectReason.TOO_LARGE, "more than 5");
    // The npy cap comes from the header: a claim of 10^12 values is refused without data.
    byte[] claim = npy("<f4", "(1000000, 1000000)", false, f32(1f));
    assertRejected(() -> reader.parse("claim", claim, SensorReader.SensorFormat.NPY),
        RejectReason.TOO_LARGE, "1000000000000 values");
  }

  @Test
  void npyShapesWhoseProductOverflowsAreTooLargeNotWrappedRound() {
    // 40 * (2^61 + 2) wraps to 80 in a long, and (int) (2^61 + 2) is 2: a header claiming 9.2e19
    // values used to decode as 40 steps of 2 channels (found by the fuzzer)
    byte[] wrapsSmall = npy("<f4", "(40, 2305843009213693954)", false, f32(new float[80]));
    assertRejected(() -> reader.parse("w", wrapsSmall, SensorReader.SensorFormat.NPY),
        RejectReason.TOO_LARGE, "over 2^63 values");
    byte[] wrapsZero = npy("<f4", "(4294967296, 4294967296)", false, f32(1f));
    assertRejected(() -> reader.parse("z", wrapsZero, SensorReader.SensorFormat.NPY),
        RejectReason.TOO_LARGE, "(4294967296, 4294967296)");
    byte[] wrapsNegative = npy("<f4", "(4294967296, 4294967295)", false, f32(1f));
    assertRejected(() -> reader.parse("n", wrapsNegative, SensorReader.SensorFormat.NPY),
        RejectReason.TOO_LARGE, "more than 1000000");
  }

  @Test
  void npyNegativeDimensionsAreMalformed() {
    // (-40, -2) multiplies to 80 and used to reach new SensorSeries(..., -2, -40) (found by the fuzzer)
    byte[] b = npy("<f4", "(-40, -2)", false, f32(new float[80]));
    assertRejected(() -> reader.parse("n", b, SensorReader.SensorFormat.NPY),
        RejectReason.MALFORMED, "(-40, -2) has a negative dimension");
    byte[] min = npy("<f4", "(-9223372036854775808, 2)", false, f32(1f));
    assertRejected(() -> reader.parse("m", min, SensorReader.SensorFormat.NPY),
        RejectReason.MALFORMED, "negative dimension");
  }

  @Test
  void truncatedNpyDataIsMalformed() {
    byte[] b = npy("<f4", "(4,)", false, f32(1f, 2f));
    assertRejected(() -> reader.parse("t", b, SensorReader.SensorFormat.NPY),
        RejectReason.MALFORMED, "needs 16 bytes, 8 present");
  }

  @Test
  void jsonProblemsAreReportedWithTheirReasons() {
    assertRejected(() -> json("[[1, 2], [3]]"), RejectReason.MALFORMED, "row 1 has 1 values, row 0 has 2");
    assertRejected(() -> json("[1, NaN, 3]"), RejectReason.NON_FINITE_VALUES, "element 1");
    assertRejected(() -> json("[[1, 2], [3, -Infinity]]"), RejectReason.NON_FINITE_VALUES,
        "row 1, column 1");
    assertRejected(() -> json("[1, \"x\"]"), RejectReason.MALFORMED, "the string \"x\"");
    assertRejected(() -> json("[1, 2"), RejectReason.MALFORMED, "invalid JSON");
    assertRejected(() -> json("[[[1]]]"), RejectReason.UNSUPPORTED_SHAPE, "rank 3");
    assertRejected(() -> json("[]"), RejectReason.EMPTY, "empty JSON array");
  }

  private SensorSeries json(String text) throws RejectedInputException {
    return reader.parse("j", text.getBytes(StandardCharsets.UTF_8), SensorReader.SensorFormat.JSON);
  }

  // ---- what parses, and to what

  @Test
  void semicolonCsvWithTimestampColumnIsChannelMajor() throws Exception {
    Path f = write("s.csv", "\uFEFFtimestamp;temp;pressure\r\n"
        + "2026-11-23 10:00;20.5;1013\r\n"
        + "2026-11-23 10:01;21;1012.5\r\n"
        + "2026-11-23 10:02;-3e-1;1011\r\n");
    SensorSeries s = reader.read(f);
    assertThat(s.channels()).isEqualTo(2);
    assertThat(s.length()).isEqualTo(3);
    assertThat(s.values()).containsExactly(20.5f, 21f, -0.3f, 1013f, 1012.5f, 1011f);
    assertThat(s.timestamps()).containsExactly("2026-11-23 10:00", "2026-11-23 10:01",
        "2026-11-23 10:02");
  }

  @Test
  void numericTimeColumnIsRecognisedByItsName() throws Exception {
    SensorSeries s = reader.read(write("t.csv", "time,value\n100,1.5\n200,2.5\n"));
    assertThat(s.channels()).isEqualTo(1);
    assertThat(s.values()).containsExactly(1.5f, 2.5f);
    assertThat(s.timestamps()).containsExactly("100", "200");
  }

  @Test
  void csvWithoutTimestampOrHeaderUsesEveryColumn() throws Exception {
    SensorSeries s = reader.read(write("n.csv", "1,2\n3,4\n5,6\n"));
    assertThat(s.channels()).isEqualTo(2);
    assertThat(s.length()).isEqualTo(3);
    assertThat(s.values()).containsExactly(1f, 3f, 5f, 2f, 4f, 6f);
    assertThat(s.timestamps()).isNull();
  }

  @Test
  void jsonFlatAndRowsParse() throws Exception {
    SensorSeries flat = json("[1, 2.5, -3]");
    assertThat(flat.channels()).isEqualTo(1);
    assertThat(flat.values()).containsExactly(1f, 2.5f, -3f);
    SensorSeries rows = json("[[1, 10], [2, 20], [3, 30]]");
    assertThat(rows.channels()).isEqualTo(2);
    assertThat(rows.length()).isEqualTo(3);
    assertThat(rows.values()).containsExactly(1f, 2f, 3f, 10f, 20f, 30f);
  }

  @Test
  void npyRankOneFloat32ParsesToItsValues() throws Exception {
    Path f = Files.write(dir.resolve("a.npy"), npy("<f4", "(4,)", false, f32(0.5f, -1f, 3f, 1e-3f)));
    SensorSeries s = reader.read(f);
    assertThat(s.channels()).isEqualTo(1);
    assertThat(s.length()).isEqualTo(4);
    assertThat(s.values()).containsExactly(0.5f, -1f, 3f, 1e-3f);
  }

  @Test
  void npyRankTwoParsesRowsAsTimeAndColumnsAsChannels() throws Exception {
    // (L=3, C=2) in C order: rows (1, 10), (2, 20), (3, 30).
    SensorSeries c = reader.parse("c", npy("<f8", "(3, 2)", false, f64(1, 10, 2, 20, 3, 30)),
        SensorReader.SensorFormat.NPY);
    assertThat(c.channels()).isEqualTo(2);
    assertThat(c.length()).isEqualTo(3);
    assertThat(c.values()).containsExactly(1f, 2f, 3f, 10f, 20f, 30f);
    assertThat(c.value(1, 2)).isEqualTo(30f);
    // The same array in Fortran order stores column by column.
    SensorSeries f = reader.parse("f", npy("<f4", "(3, 2)", true, f32(1, 2, 3, 10, 20, 30)),
        SensorReader.SensorFormat.NPY);
    assertThat(f.values()).containsExactly(c.values());
  }

  @Test
  void imageGivenAsASeriesIsUnsupportedShapeSayingWhatItIs() throws Exception {
    byte[] png = TestImages.encode8(".png", 4, 4, 1, TestImages.pattern8(4, 4, 1));
    Path f = Files.write(dir.resolve("photo.png"), png);
    assertRejected(() -> reader.read(f), RejectReason.UNSUPPORTED_SHAPE, "a PNG image, not a series");
    Path g = Files.write(dir.resolve("photo.csv"), png);
    assertRejected(() -> reader.read(g), RejectReason.UNSUPPORTED_SHAPE, "a PNG image, not a series");
    // Text that merely starts like a BMP ("BM") is still read as CSV.
    Path h = write("bm.csv", "BMS_voltage,BMS_current\n1,2\n3,4\n");
    assertThat(reader.read(h).channels()).isEqualTo(2);
  }

  @Test
  void nanInNpyNamesRowAndColumn() {
    byte[] b = npy("<f4", "(2, 2)", false, f32(1, 2, 3, Float.NaN));
    assertRejected(() -> reader.parse("n", b, SensorReader.SensorFormat.NPY),
        RejectReason.NON_FINITE_VALUES, "row 1, column 1");
  }

  @Test
  void formatIsSniffedWhenTheExtensionSaysNothing() throws Exception {
    Path f = write("series.txt", "  [[1, 2], [3, 4]]");
    assertThat(reader.read(f).channels()).isEqualTo(2);
    assertThat(SensorReader.sniff(npy("<f4", "(1,)", false, f32(1)))).isEqualTo(
        SensorReader.SensorFormat.NPY);
  }
}
