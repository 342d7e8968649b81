package ai.diffad.model.backbone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.diffad.config.BackboneConfig;
import ai.diffad.config.ConfigException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The packaged backbones against TensorFlow.js's own Keras layers: golden activations of two layers
 * of each (src/test/resources/golden/backbone_golden.json, made by backbone_golden.js beside it)
 * for a fixed input. Needs {@code ./diffad fetch-backbone} (CI runs it); skipped otherwise.
 */
class BackboneGoldenTest {
  private static JsonNode golden() throws Exception {
    try (InputStream in = BackboneGoldenTest.class.getResourceAsStream(
        "/golden/backbone_golden.json")) {
      return new ObjectMapper().readTree(in);
    }
  }

  @Test
  void packagedBackbonesMatchTensorFlowJsOnTwoLayersEach() throws Exception {
    for (JsonNode c : golden().path("cases")) {
      String name = c.path("backbone").asText();
      assumeTrue(Backbones.isFetched(name), "backbone " + name + " not in " + Backbones.packageDir()
          + ": run ./diffad fetch-backbone to run this test");
      int s = c.path("size").asInt();
      List<String> layers = new ArrayList<>();
      c.path("layers").forEach(l -> layers.add(l.path("layer").asText()));
      try (NDManager m = NDManager.newBaseManager("PyTorch");
          Backbone b = Backbones.open(new BackboneConfig(name, layers, s, null), m)) {
        assertThat(b.sha256()).hasSize(64);
        float[] x = new float[3 * s * s];
        for (int k = 0; k < 3; k++) {
          for (int h = 0; h < s; h++) {
            for (int w = 0; w < s; w++) {
              x[(k * s + h) * s + w] = (float) (0.9 * Math.sin(0.05 * h + 0.11 * w + 1.3 * k));
            }
          }
        }
        NDList out = b.features(m.create(x, new Shape(1, 3, s, s)), layers);
        for (int i = 0; i < layers.size(); i++) {
          JsonNode g = c.path("layers").get(i);
          NDArray a = out.get(i);
          List<Long> shape = new ArrayList<>();
          g.path("shape").forEach(v -> shape.add(v.asLong()));
          assertThat(a.getShape().getShape()).as(name + " " + layers.get(i) + " shape")
              .containsExactly(shape.stream().mapToLong(Long::longValue).toArray());
          float[] v = a.toFloatArray();
          double meanAbs = g.path("meanAbs").asDouble();
          double tol = 1e-3 * meanAbs + 1e-4;
          double sum = 0;
          for (float f : v) {
            sum += f;
          }
          assertThat(sum / v.length).as(name + " " + layers.get(i) + " mean")
              .isCloseTo(g.path("mean").asDouble(), org.assertj.core.data.Offset.offset(tol));
          for (int j = 0; j < g.path("indices").size(); j++) {
            int idx = g.path("indices").get(j).asInt();
            assertThat((double) v[idx]).as(name + " " + layers.get(i) + " [" + idx + "]")
                .isCloseTo(g.path("values").get(j).asDouble(),
                    org.assertj.core.data.Offset.offset(10 * tol));
          }
        }
      }
    }
  }

  @Test
  void aMissingPackagedBackboneNamesTheFetchCommand() {
    String old = System.getProperty("diffad.backbones");
    System.setProperty("diffad.backbones", "/nonexistent/diffad-backbones");
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      assertThatThrownBy(() -> Backbones.open(BackboneConfig.of("mobilenet_v2"), m))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("backbone.name").hasMessageContaining("./diffad fetch-backbone");
    } finally {
      if (old == null) {
        System.clearProperty("diffad.backbones");
      } else {
        System.setProperty("diffad.backbones", old);
      }
    }
  }

  @Test
  void sameIsPaddedAsTensorFlowDoesWithTheOddCellAfter() {
    assertThat(KerasBackbone.samePad(112, 3, 2, 1)).containsExactly(0, 1);
    assertThat(KerasBackbone.samePad(113, 3, 2, 1)).containsExactly(1, 1);
    assertThat(KerasBackbone.samePad(17, 7, 1, 1)).containsExactly(3, 3);
    assertThat(KerasBackbone.samePad(17, 1, 1, 1)).containsExactly(0, 0);
    assertThat(KerasBackbone.samePad(35, 3, 1, 1)).containsExactly(1, 1);
  }

  @Test
  void halfPrecisionWeightsDecode() {
    assertThat(KerasBackbone.halfToFloat((short) 0x3C00)).isEqualTo(1f);
    assertThat(KerasBackbone.halfToFloat((short) 0xC000)).isEqualTo(-2f);
    assertThat(KerasBackbone.halfToFloat((short) 0x3555)).isCloseTo(0.33325f,
        org.assertj.core.data.Offset.offset(1e-5f));
    assertThat(KerasBackbone.halfToFloat((short) 0x0001)).isEqualTo(0x1p-24f);
  }
}
