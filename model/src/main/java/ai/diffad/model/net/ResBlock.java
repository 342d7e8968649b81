package ai.diffad.model.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * DDPM residual block: {@code h = conv1(silu(gn1(x))) + proj(e)} (per channel), {@code h =
 * conv2(dropout(silu(gn2(h))))}, output {@code skip(x) + h} with a 1x1 skip convolution when the
 * channel count changes. Input {@code [x (N, Cin, ...), e (N, E)]} where e is the already
 * activated (SiLU) conditioning vector shared by all blocks; output {@code [(N, Cout, ...)]}.
 */
final class ResBlock extends AbstractBlock {
  private static final byte VERSION = 1;

  private final int dims;
  private final int outChannels;
  private final float dropout;
  private final GroupNorm norm1;
  private final Block conv1;
  private final Block embProj;
  private final GroupNorm norm2;
  private final Block conv2;
  private final Block skip;

  ResBlock(int dims, int inChannels, int outChannels, int groups, float dropout) {
    super(VERSION);
    this.dims = dims;
    this.outChannels = outChannels;
    this.dropout = dropout;
    // The up path concatenates skips, so Cin need not be a multiple of the configured groups.
    norm1 =
        addChildBlock(
            "norm1",
            GroupNorm.builder()
                .setGroups(Layers.gcd(groups, inChannels))
                .setChannels(inChannels)
                .build());
    conv1 = addChildBlock("conv1", Layers.conv(dims, outChannels, 3, 1));
    embProj = addChildBlock("embProj", Layers.linear(outChannels));
    norm2 =
        addChildBlock(
            "norm2",
            GroupNorm.builder()
                .setGroups(Layers.gcd(groups, outChannels))
                .setChannels(outChannels)
                .build());
    conv2 = addChildBlock("conv2", Layers.conv(dims, outChannels, 3, 1));
    skip = inChannels == outChannels ? null : addChildBlock("skip", Layers.conv(dims, outChannels, 1, 1));
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.get(0);
    NDArray e = inputs.get(1);
    NDArray h = norm1.forward(ps, new NDList(x), training).singletonOrThrow();
    h = conv1.forward(ps, new NDList(Layers.silu(h)), training).singletonOrThrow();
    NDArray p = embProj.forward(ps, new NDList(e), training).singletonOrThrow();
    h = h.add(p.reshape(Layers.perChannel(p.getShape().get(0), outChannels, dims)));
    h = Layers.silu(norm2.forward(ps, new NDList(h), training).singletonOrThrow());
    if (training && dropout > 0) {
      h = Dropout.dropout(h, dropout, true).singletonOrThrow();
    }
    h = conv2.forward(ps, new NDList(h), training).singletonOrThrow();
    NDArray s = skip == null ? x : skip.forward(ps, new NDList(x), training).singletonOrThrow();
    return new NDList(s.add(h));
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... shapes) {
    Shape x = shapes[0];
    Shape y = Layers.withChannels(x, outChannels);
    norm1.initialize(manager, dataType, x);
    conv1.initialize(manager, dataType, x);
    embProj.initialize(manager, dataType, shapes[1]);
    norm2.initialize(manager, dataType, y);
    conv2.initialize(manager, dataType, y);
    if (skip != null) {
      skip.initialize(manager, dataType, x);
    }
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {Layers.withChannels(inputShapes[0], outChannels)};
  }
}
