package ai.diffad.model.testutils;

import ai.diffad.config.NetworkConfig;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A three-layer convolutional denoiser for tests: t/1000 is appended as an extra input channel.
 * Inputs [x (N, C, H, W), t (N)], output (N, C, H, W). Stands in for the U-Net where the test is
 * about training or artifacts, not the architecture.
 */
public final class TinyDenoiser extends AbstractBlock {
  private final Conv2d c1;
  private final Conv2d c2;
  private final Conv2d c3;

  /** A denoiser for {@code channels} input channels with {@code hidden} feature maps. */
  public TinyDenoiser(int channels, int hidden) {
    super((byte) 1);
    c1 = addChildBlock("c1", conv(hidden));
    c2 = addChildBlock("c2", conv(hidden));
    c3 = addChildBlock("c3", conv(channels));
  }

  /** The factory signature of {@code NetworkFactory}: hidden = baseChannels. */
  public static TinyDenoiser create(NetworkConfig network, int inChannels) {
    return new TinyDenoiser(inChannels, network.baseChannels());
  }

  private static Conv2d conv(int filters) {
    return Conv2d.builder()
        .setKernelShape(new Shape(3, 3))
        .optPadding(new Shape(1, 1))
        .setFilters(filters)
        .build();
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.get(0);
    NDArray t = inputs.get(1);
    Shape s = x.getShape();
    NDArray tc = t.div(1000f).reshape(s.get(0), 1, 1, 1).broadcast(s.get(0), 1, s.get(2), s.get(3));
    NDArray h = NDArrays.concat(new NDList(x, tc), 1);
    h = Activation.swish(c1.forward(ps, new NDList(h), training).head(), 1f);
    h = Activation.swish(c2.forward(ps, new NDList(h), training).head(), 1f);
    return c3.forward(ps, new NDList(h), training);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape x = inputShapes[0];
    Shape in = new Shape(x.get(0), x.get(1) + 1, x.get(2), x.get(3));
    c1.initialize(manager, dataType, in);
    Shape s1 = c1.getOutputShapes(new Shape[] {in})[0];
    c2.initialize(manager, dataType, s1);
    Shape s2 = c2.getOutputShapes(new Shape[] {s1})[0];
    c3.initialize(manager, dataType, s2);
  }
}
