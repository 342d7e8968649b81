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
 * The test-only tiny network of every module (shared as the model module's test jar): a
 * convolutional denoiser of a few 3x3 layers with SiLU between them; t/1000 is appended as an extra
 * input channel. Inputs [x (N, C, H, W), t (N)], output (N, C, H, W). Stands in for the U-Net where
 * a test is about training, artifacts or the engine around the network, not the architecture; the
 * real trainer and artifact code run around it and it trains in seconds.
 */
public final class TinyDenoiser extends AbstractBlock {
  private final Conv2d[] convs;

  /** A three-layer denoiser for {@code channels} input channels with {@code hidden} feature maps. */
  public TinyDenoiser(int channels, int hidden) {
    this(channels, hidden, 3);
  }

  /** A denoiser of {@code layers} convolutions (at least 2). */
  public TinyDenoiser(int channels, int hidden, int layers) {
    super((byte) 1);
    if (layers < 2) {
      throw new IllegalArgumentException("layers must be >= 2, got " + layers);
    }
    convs = new Conv2d[layers];
    for (int i = 0; i < layers; i++) {
      convs[i] = addChildBlock("c" + (i + 1), conv(i == layers - 1 ? channels : hidden));
    }
  }

  /** The factory signature of {@code NetworkFactory}: three layers, hidden = baseChannels. */
  public static TinyDenoiser create(NetworkConfig network, int inChannels) {
    return new TinyDenoiser(inChannels, network.baseChannels());
  }

  /** Four layers, hidden = baseChannels: enough to learn to denoise textures in a few seconds. */
  public static TinyDenoiser deep(NetworkConfig network, int inChannels) {
    return new TinyDenoiser(inChannels, network.baseChannels(), 4);
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
