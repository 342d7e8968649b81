package ai.diffad.denoise.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.diffad.denoise.record.RejectReason;
import ai.diffad.denoise.record.RejectedInputException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ImageHeadersTest {
  @ParameterizedTest
  @ValueSource(strings = {".png", ".jpg", ".bmp", ".tif"})
  void headerGivesTheDimensionsOpenCvWrote(String ext) throws Exception {
    byte[] rgb = TestImages.encode8(ext, 13, 29, 3, TestImages.pattern8(13, 29, 3));
    byte[] gray = TestImages.encode8(ext, 7, 5, 1, TestImages.pattern8(7, 5, 1));

    ImageHeaders.Dimensions d = ImageHeaders.read(rgb);
    ImageHeaders.Dimensions g = ImageHeaders.read(gray);

    assertThat(d.format()).isEqualTo(ImageFormat.fromFileName("x" + ext).orElseThrow());
    assertThat(d.width()).isEqualTo(29);
    assertThat(d.height()).isEqualTo(13);
    assertThat(g.width()).isEqualTo(5);
    assertThat(g.height()).isEqualTo(7);
  }

  @ParameterizedTest
  @ValueSource(strings = {".png", ".tif"})
  void sixteenBitHeadersGiveTheDimensions(String ext) throws Exception {
    byte[] b = TestImages.encode16(ext, 3, 11, 1, new short[33]);
    ImageHeaders.Dimensions d = ImageHeaders.read(b);
    assertThat(d.width()).isEqualTo(11);
    assertThat(d.height()).isEqualTo(3);
  }

  @Test
  void bigEndianTiffWithShortAndLongTagsIsRead() throws Exception {
    // MM, 42, IFD at 8: two entries, ImageWidth SHORT 300, ImageLength LONG 70000.
    ByteBuffer b = ByteBuffer.allocate(8 + 2 + 24 + 4).order(ByteOrder.BIG_ENDIAN);
    b.put((byte) 'M').put((byte) 'M').putShort((short) 42).putInt(8);
    b.putShort((short) 2);
    b.putShort((short) 256).putShort((short) 3).putInt(1).putShort((short) 300).putShort((short) 0);
    b.putShort((short) 257).putShort((short) 4).putInt(1).putInt(70000);
    b.putInt(0);

    ImageHeaders.Dimensions d = ImageHeaders.read(b.array());

    assertThat(d.format()).isEqualTo(ImageFormat.TIFF);
    assertThat(d.width()).isEqualTo(300);
    assertThat(d.height()).isEqualTo(70000);
  }

  @Test
  void handMadePngHeaderClaimingTenGigapixelsIsReadWithoutDecoding() throws Exception {
    ImageHeaders.Dimensions d = ImageHeaders.read(TestImages.pngHeaderOnly(100_000, 100_000));
    assertThat(d.pixels()).isEqualTo(10_000_000_000L);
  }

  @Test
  void unknownMagicIsRefusedNamingTheFirstBytes() {
    assertThatThrownBy(() -> ImageHeaders.read("{\"id\": 1}".getBytes()))
        .isInstanceOf(RejectedInputException.class)
        .hasMessage("not a PNG/JPEG/BMP/TIFF file (first bytes 7b 22 69 64)")
        .extracting(e -> ((RejectedInputException) e).reason())
        .isEqualTo(RejectReason.DECODE_FAILED);
  }

  @Test
  void pngCutInsideItsDataIsIncomplete() {
    byte[] png = TestImages.encode8(".png", 16, 16, 1, TestImages.pattern8(16, 16, 1));
    byte[] cut = java.util.Arrays.copyOf(png, png.length - 20);
    assertThatThrownBy(() -> ImageHeaders.checkComplete(ImageFormat.PNG, cut))
        .isInstanceOf(RejectedInputException.class)
        .hasMessageContaining("truncated PNG");
  }
}
