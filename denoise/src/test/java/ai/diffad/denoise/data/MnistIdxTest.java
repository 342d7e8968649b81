package ai.diffad.denoise.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistIdxTest {
  private static void write(Path p, int magic, int[] dims, byte[] payload) throws IOException {
    try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(Files.newOutputStream(p)))) {
      out.writeInt(magic);
      for (int d : dims) {
        out.writeInt(d);
      }
      out.write(payload);
    }
  }

  @Test
  void gzippedIdxDigitsArePaddedWithBackgroundAndKeepTheirLabels(@TempDir Path dir) throws IOException {
    byte[] px = new byte[2 * 28 * 28];
    px[0] = (byte) 255;           // image 0, pixel (0,0)
    px[28 * 28 + 27] = (byte) 0;  // image 1 stays background
    write(dir.resolve("t10k-images-idx3-ubyte.gz"), 0x803, new int[] {2, 28, 28}, px);
    write(dir.resolve("t10k-labels-idx1-ubyte.gz"), 0x801, new int[] {2}, new byte[] {7, 3});

    InMemoryTrainingSet set = MnistIdx.load(dir, 32);

    assertThat(set.size()).isEqualTo(2);
    assertThat(set.height(0)).isEqualTo(32);
    assertThat(set.width(0)).isEqualTo(32);
    assertThat(set.label(0)).isEqualTo(7);
    assertThat(set.label(1)).isEqualTo(3);
    float[] x = set.item(0);
    assertThat(x[0]).isEqualTo(-1f);                 // padding
    assertThat(x[2 * 32 + 2]).isEqualTo(1f);         // original (0,0) moved by the 2-pixel border
    assertThat(x[2 * 32 + 3]).isEqualTo(-1f);
  }
}
