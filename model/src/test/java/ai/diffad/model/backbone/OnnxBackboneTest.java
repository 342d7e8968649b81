package ai.diffad.model.backbone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.diffad.config.BackboneConfig;
import ai.diffad.config.ConfigException;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link OnnxBackbone} on a Conv + Relu model written by hand ({@link OnnxFiles}): its two outputs
 * against the same convolution in DJL's PyTorch ops, chosen by index and by name, in the caller's
 * PyTorch manager; its SHA-256; the errors of a missing or broken file.
 */
class OnnxBackboneTest {
  private static final int C = 4;

  @TempDir Path dir;

  private final float[] weight = new float[C * 3 * 3 * 3];
  private final float[] bias = new float[C];

  private Path model() throws Exception {
    Random r = new Random(11);
    for (int i = 0; i < weight.length; i++) {
      weight[i] = (float) r.nextGaussian() * 0.3f;
    }
    for (int i = 0; i < bias.length; i++) {
      bias[i] = (float) r.nextGaussian() * 0.1f;
    }
    Path f = dir.resolve("conv_relu.onnx");
    Files.write(f, OnnxFiles.convRelu(weight, bias, C));
    return f;
  }

  @Test
  void pytorchStaysTheDefaultEngineWithOnnxRuntimeOnTheClasspath() {
    assertThat(Engine.hasEngine(OnnxBackbone.ENGINE)).isTrue();
    assertThat(Engine.getDefaultEngineName()).isEqualTo("PyTorch");
    assertThat(Engine.getInstance().getEngineName()).isEqualTo("PyTorch");
  }

  @Test
  void outputsEqualTheConvolutionAndItsReluInDjlOps() throws Exception {
    Path f = model();
    try (NDManager m = NDManager.newBaseManager("PyTorch");
        OnnxBackbone b = OnnxBackbone.load(f, 16)) {
      assertThat(b.layers()).containsExactly("0", "1");
      assertThat(b.outputNames()).containsExactly("conv", "relu");
      NDArray x = m.randomNormal(new Shape(2, 3, 20, 24)); // not the probe's size: dims symbolic
      NDArray w = m.create(weight, new Shape(C, 3, 3, 3));
      NDArray conv = Conv2d.conv2d(x, w, m.create(bias), new Shape(1, 1), new Shape(1, 1),
          new Shape(1, 1), 1).singletonOrThrow();
      NDArray relu = conv.maximum(0f);

      NDList out = b.features(x, List.of("1", "0"));
      assertThat(out).hasSize(2);
      for (NDArray a : out) {
        assertThat(a.getManager().getEngine().getEngineName()).isEqualTo("PyTorch");
        assertThat(a.getShape()).isEqualTo(new Shape(2, C, 20, 24));
      }
      assertClose(out.get(0), relu);
      assertClose(out.get(1), conv);
      assertThat(out.get(0).min().getFloat()).isGreaterThanOrEqualTo(0f);
      // usable by the rest of the engine: PyTorch ops on them, with the caller's arrays
      assertThat(out.get(1).sub(conv).abs().max().getFloat()).isLessThan(1e-5f);

      NDList byName = b.features(x, List.of("conv"));
      assertClose(byName.singletonOrThrow(), conv);

      assertThatThrownBy(() -> b.features(x, List.of("2")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'2'").hasMessageContaining("[conv, relu]");
    }
  }

  @Test
  void recordsTheFilesSha256AndOpensThroughBackbones() throws Exception {
    Path f = model();
    String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest(Files.readAllBytes(f)));
    try (NDManager m = NDManager.newBaseManager("PyTorch");
        Backbone b = Backbones.open(new BackboneConfig(f.toString(), List.of("0", "1"), 32,
            "imagenet"), m)) {
      assertThat(b).isInstanceOf(OnnxBackbone.class);
      assertThat(b.sha256()).isEqualTo(expected);
      assertThat(b.name()).isEqualTo("conv_relu.onnx");
      assertThat(b.toString()).contains(expected.substring(0, 12));
      NDList out = b.features(m.zeros(new Shape(1, 3, 32, 32)), List.of("0", "1"));
      // a zero image gives the bias everywhere, and its relu
      for (int c = 0; c < C; c++) {
        assertClose(out.get(0).get(0, c), m.full(new Shape(32, 32), bias[c]));
        assertClose(out.get(1).get(0, c), m.full(new Shape(32, 32), Math.max(bias[c], 0f)));
      }
    }
    Files.write(f, OnnxFiles.convRelu(weight, new float[] {1, 2, 3, 4}, C));
    try (NDManager m = NDManager.newBaseManager("PyTorch");
        Backbone b = Backbones.open(new BackboneConfig(f.toString(), null, 32, null), m)) {
      assertThat(b.sha256()).as("other weights, other identity").isNotEqualTo(expected);
    }
  }

  @Test
  void aMissingOrBrokenFileIsAConfigError() throws Exception {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      Path missing = dir.resolve("missing.onnx");
      assertThatThrownBy(() -> Backbones.open(BackboneConfig.of(missing.toString()), m))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("backbone.name").hasMessageContaining("does not exist");

      Path broken = dir.resolve("broken.onnx");
      Files.write(broken, "not a protobuf at all".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      assertThatThrownBy(() -> Backbones.open(BackboneConfig.of(broken.toString()), m))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("backbone.name").hasMessageContaining("cannot load " + broken)
          .hasMessageContaining("is not an ONNX model");

      // a valid ONNX model that does not take (N, 3, H, W): its input has 5 channels
      Path wrong = dir.resolve("wrong.onnx");
      Files.write(wrong, OnnxFiles.convRelu(new float[C * 5 * 9], new float[C], C, 5));
      assertThatThrownBy(() -> Backbones.open(BackboneConfig.of(wrong.toString()), m))
          .isInstanceOf(ConfigException.class).hasMessageContaining("cannot load " + wrong)
          .hasMessageContaining("(N, 3, H, W)");
    }
  }

  private static void assertClose(NDArray actual, NDArray expected) {
    float[] a = actual.toFloatArray();
    float[] e = expected.toFloatArray();
    assertThat(a).hasSameSizeAs(e);
    for (int i = 0; i < a.length; i++) {
      assertThat(a[i]).as("element %d", i)
          .isCloseTo(e[i], org.assertj.core.data.Offset.offset(1e-5f));
    }
  }
}
