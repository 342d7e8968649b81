package ai.diffad.model.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.diffad.config.NetworkConfig;
import ai.diffad.config.NetworkKind;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GuidedNetworkTest {
  private NDManager m;
  private UNet net;
  private ParameterStore ps;
  private NDArray x;
  private NDArray t;

  @BeforeEach
  void setUp() {
    m = NDManager.newBaseManager();
    NetworkConfig cfg = UNetTest.tiny(NetworkKind.UNET2D, 3, 0.0);
    net = UNetTest.init(m, cfg, 1, 8, 8);
    ps = new ParameterStore(m, false);
    m.getEngine().setRandomSeed(5);
    x = m.randomNormal(new Shape(2, 1, 8, 8));
    t = m.create(new float[] {10f, 500f});
  }

  @AfterEach
  void tearDown() {
    m.close();
  }

  private float[] direct(int... labels) {
    return net.forward(ps, new NDList(x, t, m.create(labels)), false).singletonOrThrow().toFloatArray();
  }

  @Test
  void guidanceScaleZeroGivesTheUnconditionalOutput() {
    float[] uncond = direct(3, 3);
    NDArray got = new GuidedNetwork(net, ps, 3, 0.0).apply(x, t, m.create(new int[] {0, 1}));
    assertThat(got.toFloatArray()).containsExactly(uncond);
    assertThat(new GuidedNetwork(net, ps, 3, 4.0).apply(x, t, null).toFloatArray())
        .containsExactly(uncond);
    assertThat(new BlockNetwork(net, ps).apply(x, t, null).toFloatArray()).containsExactly(uncond);
  }

  @Test
  void differentLabelsGiveDifferentOutputs() {
    float[] a = direct(0, 0);
    float[] b = direct(1, 1);
    double diff = 0;
    for (int i = 0; i < a.length; i++) {
      diff = Math.max(diff, Math.abs(a[i] - b[i]));
    }
    assertThat(diff).isGreaterThan(1e-4);
  }

  @Test
  void guidedOutputIsUncondPlusScaleTimesTheDifferenceFromOneBatchedPass() {
    float[] uncond = direct(3, 3);
    float[] cond = direct(2, 0);
    float w = 3.5f;
    NDArray got = new GuidedNetwork(net, ps, 3, w).apply(x, t, m.create(new int[] {2, 0}));
    assertThat(got.getShape()).isEqualTo(x.getShape());
    assertThat(got.getManager()).isSameAs(x.getManager());
    float[] g = got.toFloatArray();
    double maxDiff = 0;
    for (int i = 0; i < g.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(uncond[i] - cond[i]));
      double want = uncond[i] + w * (cond[i] - uncond[i]);
      assertThat((double) g[i]).isCloseTo(want, org.assertj.core.api.Assertions.within(1e-4));
    }
    assertThat(maxDiff).isGreaterThan(1e-4); // the check above would be vacuous otherwise
  }

  @Test
  void scaleOneIsTheConditionalOutput() {
    NDArray got = new GuidedNetwork(net, ps, 3, 1.0).apply(x, t, m.create(new int[] {1, 2}));
    assertThat(got.toFloatArray()).containsExactly(direct(1, 2));
  }

  @Test
  void inputsStayOnTheirManagerAfterACall() {
    new GuidedNetwork(net, ps, 3, 2.0).apply(x, t, m.create(new int[] {1, 2}));
    assertThat(x.getManager()).isSameAs(m);
    assertThat(x.isReleased()).isFalse();
    assertThat(x.sum().getFloat()).isFinite();
  }

  @Test
  void guidanceOnAnUnconditionalNetworkIsRefused() {
    assertThatThrownBy(() -> new GuidedNetwork(net, ps, 0, 2.0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("numClasses >= 1");
  }
}
