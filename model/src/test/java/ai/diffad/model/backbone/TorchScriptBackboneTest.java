package ai.diffad.model.backbone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.diffad.config.BackboneConfig;
import ai.diffad.config.ConfigException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TorchScriptBackbone} on a TorchScript archive written by hand ({@link TorchScriptFiles}:
 * a convolution and its ReLU as a tuple of two outputs), loaded by DJL's libtorch: both outputs
 * against the same convolution in DJL's ops, its SHA-256, and the errors of a bad layer, a missing
 * or a broken file.
 */
class TorchScriptBackboneTest {
  private static final int C = 4;

  @TempDir Path dir;

  private final float[] weight = new float[C * 3 * 3 * 3];
  private final float[] bias = new float[C];

  private Path module(String name) throws Exception {
    Random r = new Random(7);
    for (int i = 0; i < weight.length; i++) {
      weight[i] = (float) r.nextGaussian() * 0.3f;
    }
    for (int i = 0; i < bias.length; i++) {
      bias[i] = (float) r.nextGaussian() * 0.1f;
    }
    Path f = dir.resolve(name);
    TorchScriptFiles.convRelu(f, weight, bias, C);
    return f;
  }

  @Test
  void bothOutputsEqualTheConvolutionAndItsReluInDjlOps() throws Exception {
    Path f = module("conv_relu.pt");
    try (NDManager m = NDManager.newBaseManager("PyTorch");
        TorchScriptBackbone b = TorchScriptBackbone.load(f, 16)) {
      assertThat(b.layers()).containsExactly("0", "1");
      NDArray x = m.randomNormal(new Shape(2, 3, 20, 24));
      NDArray conv = Conv2d.conv2d(x, m.create(weight, new Shape(C, 3, 3, 3)), m.create(bias),
          new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1).singletonOrThrow();
      NDList out = b.features(x, List.of("1", "0"));
      assertThat(out).hasSize(2);
      assertThat(out.get(0).getShape()).isEqualTo(new Shape(2, C, 20, 24));
      assertClose(out.get(0), conv.maximum(0f));
      assertClose(out.get(1), conv);

      assertThatThrownBy(() -> b.features(x, List.of("2")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'2'").hasMessageContaining("output indices");
    }
  }

  @Test
  void recordsTheFilesSha256AndOpensThroughBackbones() throws Exception {
    Path f = module("conv_relu.pth");
    String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest(Files.readAllBytes(f)));
    try (NDManager m = NDManager.newBaseManager("PyTorch");
        Backbone b = Backbones.open(new BackboneConfig(f.toString(), List.of("1"), 32, null), m)) {
      assertThat(b).isInstanceOf(TorchScriptBackbone.class);
      assertThat(b.sha256()).isEqualTo(expected);
      assertThat(b.name()).isEqualTo("conv_relu.pth");
      // a zero image: the relu of the bias everywhere
      NDArray relu = b.features(m.zeros(new Shape(1, 3, 32, 32)), List.of("1")).singletonOrThrow();
      for (int c = 0; c < C; c++) {
        assertClose(relu.get(0, c), m.full(new Shape(32, 32), Math.max(bias[c], 0f)));
      }
    }
  }

  @Test
  void aMissingOrBrokenFileIsAConfigError() throws Exception {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      Path missing = dir.resolve("missing.pt");
      assertThatThrownBy(() -> Backbones.open(BackboneConfig.of(missing.toString()), m))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("backbone.name").hasMessageContaining("does not exist");
      Path broken = dir.resolve("broken.pt");
      Files.write(broken, "not a zip archive".getBytes(StandardCharsets.UTF_8));
      assertThatThrownBy(() -> Backbones.open(BackboneConfig.of(broken.toString()), m))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("cannot load " + broken)
          .hasMessageContaining("is not a TorchScript module");
    }
  }

  private static void assertClose(NDArray actual, NDArray expected) {
    float[] a = actual.toFloatArray();
    float[] e = expected.toFloatArray();
    assertThat(a).hasSameSizeAs(e);
    for (int i = 0; i < a.length; i++) {
      assertThat(a[i]).as("element %d", i).isCloseTo(e[i], Offset.offset(1e-5f));
    }
  }
}
