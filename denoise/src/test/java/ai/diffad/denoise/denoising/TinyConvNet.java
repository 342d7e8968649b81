package ai.diffad.denoise.denoising;

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
 * A four-layer convolutional denoiser (t / 1000 appended as an input channel) that trains in
 * seconds: the real trainer and artifact code run around it, only the architecture is small.
 */
final class TinyConvNet extends AbstractBlock {
  private final Conv2d[] convs;

  TinyConvNet(int channels, int hidden) {
    super((byte) 1);
    convs = new Conv2d[] {
        addChildBlock("c1", conv(hidden)),
        addChildBlock("c2", conv(hidden)),
        addChildBlock("c3", conv(hidden)),
        addChildBlock("c4", conv(channels))};
  }

  /** The {@code NetworkFactory} signature: hidden = baseChannels. */
  static TinyConvNet create(NetworkConfig network, int inChannels) {
    return new TinyConvNet(inChannels, network.baseChannels());
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
    Shape s = x.getShape();
    NDArray tc = inputs.get(1).div(1000f).reshape(s.get(0), 1, 1, 1)
        .broadcast(s.get(0), 1, s.get(2), s.get(3));
    NDArray h = NDArrays.concat(new NDList(x, tc), 1);
    for (int i = 0; i < convs.length - 1; i++) {
      h = Activation.swish(convs[i].forward(ps, new NDList(h), training).head(), 1f);
    }
    return convs[convs.length - 1].forward(ps, new NDList(h), training);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape x = inputShapes[0];
    Shape in = new Shape(x.get(0), x.get(1) + 1, x.get(2), x.get(3));
    for (Conv2d c : convs) {
      c.initialize(manager, dataType, in);
      in = c.getOutputShapes(new Shape[] {in})[0];
    }
  }
}
