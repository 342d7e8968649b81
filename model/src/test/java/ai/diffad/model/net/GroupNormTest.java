package ai.diffad.model.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GroupNormTest {

  /** GroupNorm in plain doubles: x (n, c, s) flattened spatially; gamma, beta per channel. */
  private static double[] reference(
      float[] x, int n, int c, int s, int groups, double[] gamma, double[] beta, double eps) {
    double[] y = new double[x.length];
    int cg = c / groups;
    for (int i = 0; i < n; i++) {
      for (int g = 0; g < groups; g++) {
        double sum = 0;
        double sq = 0;
        int count = cg * s;
        for (int ch = g * cg; ch < (g + 1) * cg; ch++) {
          for (int k = 0; k < s; k++) {
            sum += x[(i * c + ch) * s + k];
          }
        }
        double mean = sum / count;
        for (int ch = g * cg; ch < (g + 1) * cg; ch++) {
          for (int k = 0; k < s; k++) {
            double d = x[(i * c + ch) * s + k] - mean;
            sq += d * d;
          }
        }
        double inv = 1.0 / Math.sqrt(sq / count + eps);
        for (int ch = g * cg; ch < (g + 1) * cg; ch++) {
          for (int k = 0; k < s; k++) {
            int idx = (i * c + ch) * s + k;
            y[idx] = (x[idx] - mean) * inv * gamma[ch] + beta[ch];
          }
        }
      }
    }
    return y;
  }

  @Test
  void blockMatchesTheGroupNormFormulaWithAffineParameters() {
    int n = 2, c = 6, h = 3, w = 4, groups = 3;
    Random r = new Random(7);
    float[] xs = new float[n * c * h * w];
    for (int i = 0; i < xs.length; i++) {
      xs[i] = (float) (r.nextGaussian() * 3 + (i % 5)); // non-zero, uneven means
    }
    double[] gamma = {0.5, -1.0, 2.0, 1.5, 0.25, 3.0};
    double[] beta = {0.1, -0.2, 0.3, 0.0, 1.0, -1.0};
    try (NDManager m = NDManager.newBaseManager()) {
      GroupNorm gn = GroupNorm.builder().setGroups(groups).setChannels(c).build();
      gn.initialize(m, DataType.FLOAT32, new Shape(n, c, h, w));
      float[] gf = new float[c];
      float[] bf = new float[c];
      for (int i = 0; i < c; i++) {
        gf[i] = (float) gamma[i];
        bf[i] = (float) beta[i];
      }
      gn.getParameters().get("gamma").getArray().set(gf);
      gn.getParameters().get("beta").getArray().set(bf);
      NDArray x = m.create(xs, new Shape(n, c, h, w));
      float[] got =
          gn.forward(new ParameterStore(m, false), new NDList(x), false)
              .singletonOrThrow()
              .toFloatArray();
      double[] want = reference(xs, n, c, h * w, groups, gamma, beta, 1e-5);
      assertThat(got).hasSize(want.length);
      for (int i = 0; i < want.length; i++) {
        assertThat((double) got[i]).as("element %d", i).isCloseTo(want[i], within(1e-4));
      }
    }
  }

  @Test
  void oneDimensionalInputIsNormalisedPerGroupWithDefaultParameters() {
    int n = 3, c = 4, l = 5, groups = 2;
    Random r = new Random(11);
    float[] xs = new float[n * c * l];
    for (int i = 0; i < xs.length; i++) {
      xs[i] = (float) (r.nextDouble() * 10 - 2);
    }
    try (NDManager m = NDManager.newBaseManager()) {
      GroupNorm gn = GroupNorm.builder().setGroups(groups).setChannels(c).build();
      gn.initialize(m, DataType.FLOAT32, new Shape(n, c, l));
      assertThat(gn.getParameters().get("gamma").getArray().getShape()).isEqualTo(new Shape(c, 1));
      float[] got =
          gn.forward(new ParameterStore(m, false), new NDList(m.create(xs, new Shape(n, c, l))), false)
              .singletonOrThrow()
              .toFloatArray();
      double[] want =
          reference(xs, n, c, l, groups, new double[] {1, 1, 1, 1}, new double[4], 1e-5);
      for (int i = 0; i < want.length; i++) {
        assertThat((double) got[i]).isCloseTo(want[i], within(1e-4));
      }
    }
  }

  @Test
  void groupsThatDoNotDivideChannelsAreRefused() {
    assertThatThrownBy(() -> GroupNorm.builder().setGroups(4).setChannels(6).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("groups=4, channels=6");
  }
}
