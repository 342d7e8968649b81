package ai.diffad.model.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Self-attention over all spatial positions (DDPM {@code AttnBlock}), multi-head: {@code x +
 * proj(attention(qkv(gn(x))))}, with q, k, v from a single 1x1 convolution (3C filters) and
 * {@code softmax(q^T k / sqrt(d))} computed with two batched matmuls over (N * heads) instead of
 * a per-head loop. Input and output {@code [(N, C, ...)]}.
 */
final class AttentionBlock extends AbstractBlock {
  private static final byte VERSION = 1;

  private final int channels;
  private final int heads;
  private final GroupNorm norm;
  private final Block qkv;
  private final Block proj;

  AttentionBlock(int dims, int channels, int heads, int groups) {
    super(VERSION);
    if (channels % heads != 0) {
      throw new IllegalArgumentException(
          "attention heads must divide channels, got heads=" + heads + ", channels=" + channels);
    }
    this.channels = channels;
    this.heads = heads;
    norm =
        addChildBlock(
            "norm",
            GroupNorm.builder()
                .setGroups(Layers.gcd(groups, channels))
                .setChannels(channels)
                .build());
    qkv = addChildBlock("qkv", Layers.conv(dims, 3 * channels, 1, 1));
    proj = addChildBlock("proj", Layers.conv(dims, channels, 1, 1));
  }

  /** The head rule used by the U-Nets: heads of 64 channels when C is a multiple of 64, else one. */
  static int headsFor(int channels) {
    return channels % 64 == 0 ? channels / 64 : 1;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    Shape s = x.getShape();
    long n = s.get(0);
    long positions = s.size() / (n * channels);
    long d = channels / heads;
    NDArray h = norm.forward(ps, inputs, training).singletonOrThrow();
    h = qkv.forward(ps, new NDList(h), training).singletonOrThrow();
    // (N, 3C, P) -> (N, 3, heads, d, P): q, k, v each (N * heads, d, P)
    NDList parts = h.reshape(n, 3, heads * d * positions).split(3, 1);
    NDArray q = parts.get(0).reshape(n * heads, d, positions).mul(1.0 / Math.sqrt(d));
    NDArray k = parts.get(1).reshape(n * heads, d, positions);
    NDArray v = parts.get(2).reshape(n * heads, d, positions);
    NDArray w = q.transpose(0, 2, 1).matMul(k).softmax(2); // (N*heads, Pq, Pk)
    NDArray o = v.matMul(w.transpose(0, 2, 1)).reshape(s); // (N*heads, d, Pq) -> (N, C, ...)
    o = proj.forward(ps, new NDList(o), training).singletonOrThrow();
    return new NDList(x.add(o));
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... shapes) {
    norm.initialize(manager, dataType, shapes[0]);
    qkv.initialize(manager, dataType, shapes[0]);
    proj.initialize(manager, dataType, shapes[0]);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }
}
