package ai.diffad.model.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.diffad.config.NetworkConfig;
import ai.diffad.config.NetworkKind;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UNetTest {

  static NetworkConfig tiny(NetworkKind kind, int numClasses, double dropout) {
    return new NetworkConfig(kind, 8, List.of(1, 2), 1, List.of(1), 4, numClasses, dropout);
  }

  /** Builds and initialises; weights Xavier everywhere so outputs are not near zero. */
  static UNet init(NDManager m, NetworkConfig cfg, int channels, long... spatial) {
    UNet net = Networks.create(cfg, channels);
    net.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
    net.initialize(m, DataType.FLOAT32, Networks.inputShapes(cfg, channels, 2, spatial));
    return net;
  }

  private static NDArray forward(UNet net, NDManager m, Shape xs, boolean labels) {
    NDArray x = m.randomNormal(xs);
    NDArray t = m.create(new float[] {3f, 400f, 17f}).get("0:" + xs.get(0));
    NDList in = labels ? new NDList(x, t, m.create(new int[] {0, 1, 2}).get("0:" + xs.get(0))) : new NDList(x, t);
    return net.forward(new ParameterStore(m, false), in, false).singletonOrThrow();
  }

  @Test
  void featuresReturnTheEncoderActivationOfEveryLevelAndDoNotChangeTheOutput() {
    try (NDManager m = NDManager.newBaseManager()) {
      NetworkConfig cfg = new NetworkConfig(NetworkKind.UNET2D, 8, List.of(1, 2, 2), 1, List.of(), 4, 0, 0.0);
      UNet net = init(m, cfg, 1, 16, 16);
      NDArray x = m.randomNormal(new Shape(2, 1, 16, 24));
      NDArray t = m.create(new float[] {5f, 50f});
      ParameterStore ps = new ParameterStore(m, false);
      NDArray before = net.forward(ps, new NDList(x, t), false).singletonOrThrow();
      ai.djl.util.PairList<String, Object> params = new ai.djl.util.PairList<>();
      params.add(UNet.FEATURES, Boolean.TRUE);
      NDList f = net.forward(ps, new NDList(x, t), false, params);
      // Level l has channelsAt(l) channels at 1/2^l resolution.
      assertThat(f).hasSize(3);
      assertThat(f.get(0).getShape()).isEqualTo(new Shape(2, 8, 16, 24));
      assertThat(f.get(1).getShape()).isEqualTo(new Shape(2, 16, 8, 12));
      assertThat(f.get(2).getShape()).isEqualTo(new Shape(2, 16, 4, 6));
      // Features of one sample do not depend on the other sample in the batch.
      NDList alone = net.forward(ps, new NDList(x.get("0:1"), t.get("0:1")), false, params);
      assertThat(alone.get(2).sub(f.get(2).get("0:1")).abs().max().getFloat()).isLessThan(1e-5f);
      NDArray after = net.forward(ps, new NDList(x, t), false).singletonOrThrow();
      assertThat(after.sub(before).abs().max().getFloat()).isZero();
    }
  }

  @Test
  void unet2dOutputHasTheInputShapeForSeveralSizesAndChannelCounts() {
    try (NDManager m = NDManager.newBaseManager()) {
      for (int channels : new int[] {1, 3}) {
        UNet net = init(m, tiny(NetworkKind.UNET2D, 0, 0), channels, 16, 16);
        for (Shape s : new Shape[] {new Shape(2, channels, 16, 16), new Shape(3, channels, 32, 48)}) {
          NDArray y = forward(net, m, s, false);
          assertThat(y.getShape()).isEqualTo(s);
          assertThat(y.getDataType()).isEqualTo(DataType.FLOAT32);
          assertThat(y.abs().max().getFloat()).isGreaterThan(0f).isFinite();
        }
      }
    }
  }

  @Test
  void unet1dOutputHasTheInputShapeForSeveralLengthsAndChannelCounts() {
    try (NDManager m = NDManager.newBaseManager()) {
      for (int channels : new int[] {1, 5}) {
        UNet net = init(m, tiny(NetworkKind.UNET1D, 3, 0), channels, 32);
        assertThat(net).isInstanceOf(UNet1d.class);
        for (Shape s : new Shape[] {new Shape(2, channels, 32), new Shape(3, channels, 64)}) {
          NDArray y = forward(net, m, s, true);
          assertThat(y.getShape()).isEqualTo(s);
          assertThat(y.abs().max().getFloat()).isGreaterThan(0f).isFinite();
        }
      }
    }
  }

  @Test
  void threeLevelsWithAttentionEverywhereKeepTheShape() {
    NetworkConfig cfg = new NetworkConfig(NetworkKind.UNET2D, 8, List.of(1, 2, 3), 2, List.of(0, 1, 2), 8, 0, 0.1);
    try (NDManager m = NDManager.newBaseManager()) {
      UNet net = init(m, cfg, 2, 8, 8);
      assertThat(forward(net, m, new Shape(2, 2, 8, 12), false).getShape()).isEqualTo(new Shape(2, 2, 8, 12));
    }
  }

  @Test
  void sizesNotDivisibleByTheLevelFactorAreRefusedNamingTheShape() {
    try (NDManager m = NDManager.newBaseManager()) {
      UNet net = init(m, tiny(NetworkKind.UNET2D, 0, 0), 1, 16, 16);
      assertThatThrownBy(() -> forward(net, m, new Shape(2, 1, 16, 15), false))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("divisible by 2")
          .hasMessageContaining("(2, 1, 16, 15)");
    }
  }

  @Test
  void aGradientReachesEveryParameter() {
    for (NetworkKind kind : NetworkKind.values()) {
      NetworkConfig cfg = tiny(kind, 3, 0.1);
      long[] spatial = kind == NetworkKind.UNET2D ? new long[] {8, 8} : new long[] {16};
      try (NDManager m = NDManager.newBaseManager()) {
        UNet net = init(m, cfg, 2, spatial);
        for (Pair<String, Parameter> p : net.getParameters()) {
          p.getValue().getArray().setRequiresGradient(true);
        }
        Shape[] shapes = Networks.inputShapes(cfg, 2, 3, spatial);
        NDList in =
            new NDList(
                m.randomNormal(shapes[0]),
                m.create(new float[] {1f, 50f, 900f}),
                m.create(new int[] {0, 2, 3}));
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          NDArray y = net.forward(new ParameterStore(m, false), in, true).singletonOrThrow();
          gc.backward(y.square().mean());
        }
        List<String> dead = new ArrayList<>();
        for (Pair<String, Parameter> p : net.getParameters()) {
          NDArray g = p.getValue().getArray().getGradient();
          if (!(g.abs().sum().getFloat() > 0f)) {
            dead.add(p.getKey());
          }
        }
        assertThat(dead).as(kind + " parameters without gradient").isEmpty();
        assertThat(net.getParameters().size()).isGreaterThan(50);
      }
    }
  }

  @Test
  void flopsMatchAHandCountForASingleLevelNetwork() {
    // base 4, one level, one block, no attention, 1 channel, 4x4 (P = 16), embedding 16:
    // MLP 640 + conv_in 1152 + down res 9344 + mid 2 x 9344 + up 2 x res(8->4) 14976 + conv_out 1152
    NetworkConfig cfg = new NetworkConfig(NetworkKind.UNET2D, 4, List.of(1), 1, List.of(), 2, 0, 0.0);
    assertThat(Networks.flopsPerSample(cfg, 1, 4, 4)).isEqualTo(60928.0);
  }

  @Test
  void flopsAgreeWithTheWeightsOfTheBuiltNetwork() {
    // With one level every convolution runs at all P positions: flops = 2 P (conv weights)
    // + 2 (linear weights) + the attention matmuls 4 P^2 C (two attention blocks: down and mid,
    // plus two on the way up).
    for (NetworkKind kind : NetworkKind.values()) {
      NetworkConfig cfg = new NetworkConfig(kind, 8, List.of(2), 1, List.of(0), 4, 0, 0.0);
      long[] spatial = kind == NetworkKind.UNET2D ? new long[] {4, 6} : new long[] {24};
      double p = 24;
      try (NDManager m = NDManager.newBaseManager()) {
        UNet net = init(m, cfg, 3, spatial);
        double conv = 0;
        double linear = 0;
        for (Pair<String, Parameter> e : net.getParameters()) {
          Parameter w = e.getValue();
          if (w.getType() == Parameter.Type.WEIGHT && !e.getKey().endsWith("labelEmbedding")) {
            if (w.getShape().dimension() == 2) {
              linear += w.getShape().size();
            } else {
              conv += w.getShape().size();
            }
          }
        }
        int attentionBlocks = 1 + 1 + 2;
        double want = 2 * p * conv + 2 * linear + attentionBlocks * 4 * p * p * 16;
        assertThat(Networks.flopsPerSample(cfg, 3, spatial)).isCloseTo(want, within(1e-6));
      }
    }
  }
}
