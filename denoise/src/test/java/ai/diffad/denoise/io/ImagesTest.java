package ai.diffad.denoise.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ImagesTest {
  private static float[] ramp(int c, int h, int w, int levels) {
    float[] x = new float[c * h * w];
    for (int i = 0; i < x.length; i++) {
      x[i] = (i % levels) / (float) (levels - 1) * 2f - 1f;
    }
    return x;
  }

  @Test
  void eightBitGrayRoundTripsExactlyOnThe255Grid() {
    float[] x = ramp(1, 5, 7, 256);
    Images.Planar p = Images.decode(Images.encodePng(x, 1, 5, 7, 8), 1, 0);
    assertThat(p.bitDepth()).isEqualTo(8);
    assertThat(p.height()).isEqualTo(5);
    assertThat(p.width()).isEqualTo(7);
    for (int i = 0; i < x.length; i++) {
      assertThat(p.data()[i]).isCloseTo(x[i], org.assertj.core.data.Offset.offset(1e-6f));
    }
  }

  @Test
  void sixteenBitKeepsItsDepthAndPrecision() {
    float[] x = ramp(1, 4, 4, 65536);
    x[3] = (1000f / 65535f) * 2f - 1f;
    Images.Planar p = Images.decode(Images.encodePng(x, 1, 4, 4, 16), 1, 0);
    assertThat(p.bitDepth()).isEqualTo(16);
    // One 16-bit level is 2/65535 ~ 3e-5 wide; 8-bit would be off by up to 4e-3.
    assertThat(p.data()[3]).isCloseTo(x[3], org.assertj.core.data.Offset.offset(2e-5f));
  }

  @Test
  void rgbPlanesComeBackInRgbOrder() {
    int hw = 6;
    float[] x = new float[3 * hw];
    for (int i = 0; i < hw; i++) {
      x[i] = 1f;          // red plane bright
      x[hw + i] = -1f;    // green dark
      x[2 * hw + i] = 0f; // blue mid
    }
    Images.Planar p = Images.decode(Images.encodePng(x, 3, 2, 3, 8), 3, 0);
    assertThat(p.channels()).isEqualTo(3);
    assertThat(p.data()[0]).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-6f));
    assertThat(p.data()[hw]).isCloseTo(-1f, org.assertj.core.data.Offset.offset(1e-6f));
    assertThat(p.data()[2 * hw]).isCloseTo(0f, org.assertj.core.data.Offset.offset(0.005f));
  }

  @Test
  void resizeMakesTheShorterSideTheRequestedLength() {
    float[] x = ramp(1, 20, 40, 256);
    Images.Planar p = Images.decode(Images.encodePng(x, 1, 20, 40, 8), 1, 10);
    assertThat(p.height()).isEqualTo(10);
    assertThat(p.width()).isEqualTo(20);
  }

  @Test
  void textIsNotAnImage() {
    assertThatThrownBy(() -> Images.decode("{\"id\": 1}".getBytes(StandardCharsets.UTF_8), 1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not an image");
  }
}
