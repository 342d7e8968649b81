package ai.diffad.denoise.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageEncoderTest {
  private final ImageDecoder decoder = new ImageDecoder(1_000_000);

  @TempDir Path dir;

  @Test
  void mapIsSixteenBitGrayScaledByTheGivenScale() throws Exception {
    float[] map = {0f, 0.25f, 0.5f, 2f, -1f, 1f};
    DecodedImage d = decoder.decode("m", ImageEncoder.encodeMap(map, 2, 3, 1.0));
    assertThat(d.bitDepth()).isEqualTo(16);
    assertThat(d.sourceChannels()).isEqualTo(1);
    // decoded x in [-1, 1] is q / 65535 * 2 - 1, and q / 65535 * scale is the map value.
    float[] back = new float[map.length];
    for (int i = 0; i < map.length; i++) {
      back[i] = (d.data()[i] + 1f) / 2f;
    }
    assertThat(back[1]).isCloseTo(0.25f, within(1e-5f));
    assertThat(back[2]).isCloseTo(0.5f, within(1e-5f));
    assertThat(back[3]).as("clipped at the scale").isCloseTo(1f, within(1e-6f));
    assertThat(back[4]).as("clipped at zero").isCloseTo(0f, within(1e-6f));

    DecodedImage half = decoder.decode("m2", ImageEncoder.encodeMap(map, 2, 3, 2.0));
    assertThat((half.data()[3] + 1f) / 2f).isCloseTo(1f, within(1e-6f));
    assertThat((half.data()[5] + 1f) / 2f).isCloseTo(0.5f, within(1e-5f));
  }

  @Test
  void overlayIsColourAtInputSizeWithHotPixelsRedderThanColdOnes() throws Exception {
    int h = 8;
    int w = 8;
    float[] map = new float[h * w];
    map[9] = 1f; // one hot pixel at (1, 1)
    float[] gray = new float[h * w]; // mid-gray input
    DecodedImage o = decoder.decode("o", ImageEncoder.encodeOverlay(map, h, w, gray, 1));
    assertThat(o.channels()).isEqualTo(3);
    assertThat(o.height()).isEqualTo(h);
    assertThat(o.width()).isEqualTo(w);
    int hw = h * w;
    float hotRed = o.data()[9];
    float hotBlue = o.data()[2 * hw + 9];
    float coldRed = o.data()[0];
    float coldBlue = o.data()[2 * hw];
    assertThat(hotRed).isGreaterThan(hotBlue);
    assertThat(coldBlue).isGreaterThan(coldRed);
  }

  @Test
  void outputFormatFollowsTheExtensionAndTheDepthTheFormatCanHold() throws Exception {
    byte[] png16 = TestImages.encode16(".png", 4, 4, 1, new short[16]);
    DecodedImage src = decoder.decode("s", png16);
    Path tif = dir.resolve("a.tiff");
    Path jpg = dir.resolve("sub/a.jpg");
    ImageEncoder.writeLike(tif, src.data(), 1, src);
    ImageEncoder.writeLike(jpg, src.data(), 1, src);

    DecodedImage t = decoder.decode(tif);
    DecodedImage j = decoder.decode(jpg);
    assertThat(t.format()).isEqualTo(ImageFormat.TIFF);
    assertThat(t.bitDepth()).isEqualTo(16);
    assertThat(j.format()).isEqualTo(ImageFormat.JPEG);
    assertThat(j.bitDepth()).as("JPEG holds 8 bits").isEqualTo(8);
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .as("no temporary files left").containsExactlyInAnyOrder("a.tiff", "sub");
    }
  }

  @Test
  void rgbOutputForAGrayInputIsWrittenGray() throws Exception {
    DecodedImage src = decoder.decode("g", TestImages.encode8(".png", 2, 2, 1,
        new byte[] {0, 50, 100, (byte) 200}));
    float[] rgb = src.planes(3);
    DecodedImage back = decoder.decode("b", ImageEncoder.encodeLike(rgb, 3, src, ImageFormat.PNG));
    assertThat(back.sourceChannels()).isEqualTo(1);
    assertThat(back.data()).containsExactly(src.data());
  }

  @Test
  void unknownExtensionIsRefusedNamingTheAllowedOnes() {
    assertThatThrownBy(() -> ImageEncoder.formatOf(Path.of("x.gif")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("x.gif")
        .hasMessageContaining(".png, .jpg");
  }

  @Test
  void atomicallyWrittenFilesAreReadableByOthersAndLeaveNoTemporaryFile() throws Exception {
    Path f = dir.resolve("sub/out.png");
    ImageEncoder.writeAtomically(f, new byte[] {1, 2, 3});
    assertThat(Files.readAllBytes(f)).containsExactly(1, 2, 3);
    if (Files.getFileStore(f).supportsFileAttributeView("posix")) {
      assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
          .isEqualTo("rw-r--r--");
    }
    try (var s = Files.list(f.getParent())) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("out.png");
    }
  }
}
