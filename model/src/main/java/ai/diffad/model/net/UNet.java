package ai.diffad.model.net;

import ai.diffad.config.NetworkConfig;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The DDPM U-Net (Ho et al. 2020, as diffusers' {@code UNet2DModel}) over 1 or 2 spatial axes;
 * {@link UNet2d} and {@link UNet1d} fix the rank.
 *
 * <p>Layout: conv_in 3x3 to {@code baseChannels}; per level, {@code blocksPerLevel} residual blocks
 * (each followed by self-attention at the levels in {@code attentionLevels}) and a stride-2 3x3
 * convolution between levels; a middle block (residual, attention if any level has attention,
 * residual); the up path with {@code blocksPerLevel + 1} residual blocks per level, each taking the
 * concatenation of the current features and one stored skip, and nearest-neighbour 2x upsampling
 * followed by a 3x3 convolution between levels; GroupNorm, SiLU, conv_out 3x3 (small normal init,
 * sigma 1e-3, so the untrained output is near zero but gradients still reach every weight).
 * The conditioning vector is {@link TimestepEmbedding} with {@code baseChannels} sinusoidal
 * features and width {@code 4 * baseChannels}, plus the label embedding when {@code numClasses >
 * 0}; every residual block adds a linear projection of its SiLU per channel.
 *
 * <p>Forward input NDList: {@code [x, t]} or {@code [x, t, labels]}: x float32 (N, C, H, W) for
 * 2-D, (N, C, L) for 1-D, with every spatial size divisible by {@code config.sizeMultiple()}; t
 * float32 (N) timesteps; labels int32 (N) in 0..numClasses, where {@code numClasses} is the null
 * token (used when labels are absent). Output NDList {@code [y]}, y float32 of x's shape.
 *
 * <p>Initialise with {@code block.initialize(manager, DataType.FLOAT32,
 * Networks.inputShapes(config, channels, batch, size...))}.
 */
public abstract class UNet extends AbstractBlock {
  private static final byte VERSION = 1;

  private final int dims;
  private final int inChannels;
  private final int outChannels;
  private final NetworkConfig config;
  private final TimestepEmbedding embedding;
  private final Block convIn;
  private final List<Block> down = new ArrayList<>(); // res/attn blocks and downsamplers, in order
  private final List<Block> mid = new ArrayList<>();
  private final List<Block> up = new ArrayList<>();
  private final GroupNorm normOut;
  private final Block convOut;

  private final List<Boolean> downIsSampler = new ArrayList<>();
  private final List<Integer> upKind = new ArrayList<>(); // 0 res, 1 attn, 2 upsampler

  UNet(int dims, int inChannels, NetworkConfig config) {
    this(dims, inChannels, inChannels, config);
  }

  UNet(int dims, int inChannels, int outChannels, NetworkConfig config) {
    super(VERSION);
    if (inChannels < 1) {
      throw new IllegalArgumentException("inChannels must be >= 1, got " + inChannels);
    }
    if (outChannels < 1) {
      throw new IllegalArgumentException("outChannels must be >= 1, got " + outChannels);
    }
    this.dims = dims;
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.config = config;
    int base = config.baseChannels();
    int groups = config.groups();
    float dropout = config.dropout().floatValue();
    int levels = config.levels();
    embedding =
        addChildBlock("embedding", new TimestepEmbedding(base, 4 * base, config.numClasses()));
    convIn = addChildBlock("convIn", Layers.conv(dims, base, 3, 1));

    Deque<Integer> skips = new ArrayDeque<>();
    skips.push(base);
    int ch = base;
    for (int l = 0; l < levels; l++) {
      int out = config.channelsAt(l);
      boolean attn = config.attentionLevels().contains(l);
      for (int b = 0; b < config.blocksPerLevel(); b++) {
        addDown("down" + l + "_res" + b, new ResBlock(dims, ch, out, groups, dropout), false);
        ch = out;
        if (attn) {
          addDown("down" + l + "_attn" + b, attention(ch), false);
        }
        skips.push(ch);
      }
      if (l < levels - 1) {
        addDown("down" + l + "_sample", Layers.conv(dims, ch, 3, 2), true);
        skips.push(ch);
      }
    }
    mid.add(addChildBlock("mid_res0", new ResBlock(dims, ch, ch, groups, dropout)));
    if (!config.attentionLevels().isEmpty()) {
      mid.add(addChildBlock("mid_attn", attention(ch)));
    }
    mid.add(addChildBlock("mid_res1", new ResBlock(dims, ch, ch, groups, dropout)));
    for (int l = levels - 1; l >= 0; l--) {
      int out = config.channelsAt(l);
      boolean attn = config.attentionLevels().contains(l);
      for (int b = 0; b <= config.blocksPerLevel(); b++) {
        addUp("up" + l + "_res" + b, new ResBlock(dims, ch + skips.pop(), out, groups, dropout), 0);
        ch = out;
        if (attn) {
          addUp("up" + l + "_attn" + b, attention(ch), 1);
        }
      }
      if (l > 0) {
        addUp("up" + l + "_sample", Layers.conv(dims, ch, 3, 1), 2);
      }
    }
    normOut =
        addChildBlock(
            "normOut",
            GroupNorm.builder().setGroups(Layers.gcd(groups, ch)).setChannels(ch).build());
    convOut = addChildBlock("convOut", Layers.conv(dims, outChannels, 3, 1));
    convOut.setInitializer(new NormalInitializer(1e-3f), Parameter.Type.WEIGHT);
  }

  private AttentionBlock attention(int ch) {
    return new AttentionBlock(dims, ch, AttentionBlock.headsFor(ch), config.groups());
  }

  private void addDown(String name, Block block, boolean sampler) {
    down.add(addChildBlock(name, block));
    downIsSampler.add(sampler);
  }

  private void addUp(String name, Block block, int kind) {
    up.add(addChildBlock(name, block));
    upKind.add(kind);
  }

  /**
   * Forward parameter asking for the encoder's activations instead of the output: with it, the
   * forward pass stops after the encoder and returns one array per resolution level, the last
   * activation of the level before it is downsampled, (N, channels of level l, H / 2^l, W / 2^l).
   * The mid block and decoder are not run.
   */
  public static final String FEATURES = "features";

  /** The network configuration this U-Net was built from. */
  public NetworkConfig config() {
    return config;
  }

  /** Number of input channels. */
  public int inChannels() {
    return inChannels;
  }

  /** Number of output channels (the input's for a denoiser; 1 for a segmentation head). */
  public int outChannels() {
    return outChannels;
  }

  /** Number of spatial axes: 2 for images, 1 for series. */
  public int spatialDims() {
    return dims;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.get(0);
    checkInput(x.getShape());
    NDList cond = inputs.size() > 2 ? new NDList(inputs.get(1), inputs.get(2)) : new NDList(inputs.get(1));
    NDArray e = Layers.silu(embedding.forward(ps, cond, training).singletonOrThrow());

    NDArray h = convIn.forward(ps, new NDList(x), training).singletonOrThrow();
    boolean features = params != null && params.contains(FEATURES);
    NDList levels = new NDList();
    Deque<NDArray> skips = new ArrayDeque<>();
    skips.push(h);
    for (int i = 0; i < down.size(); i++) {
      Block b = down.get(i);
      if (downIsSampler.get(i)) {
        levels.add(h);
        h = b.forward(ps, new NDList(h), training).singletonOrThrow();
        skips.push(h);
      } else if (b instanceof ResBlock) {
        h = b.forward(ps, new NDList(h, e), training).singletonOrThrow();
        if (!(i + 1 < down.size() && down.get(i + 1) instanceof AttentionBlock)) {
          skips.push(h);
        }
      } else {
        h = b.forward(ps, new NDList(h), training).singletonOrThrow();
        skips.push(h);
      }
    }
    if (features) {
      levels.add(h);
      return levels;
    }
    for (Block b : mid) {
      NDList in = b instanceof ResBlock ? new NDList(h, e) : new NDList(h);
      h = b.forward(ps, in, training).singletonOrThrow();
    }
    for (int i = 0; i < up.size(); i++) {
      Block b = up.get(i);
      switch (upKind.get(i)) {
        case 0:
          h = NDArrays.concat(new NDList(h, skips.pop()), 1);
          h = b.forward(ps, new NDList(h, e), training).singletonOrThrow();
          break;
        case 1:
          h = b.forward(ps, new NDList(h), training).singletonOrThrow();
          break;
        default:
          h = b.forward(ps, new NDList(upsample(h)), training).singletonOrThrow();
      }
    }
    h = Layers.silu(normOut.forward(ps, new NDList(h), training).singletonOrThrow());
    return convOut.forward(ps, new NDList(h), training);
  }

  /** Nearest-neighbour 2x upsampling in one native op ({@code interpolate}, mode nearest). */
  private static NDArray upsample(NDArray h) {
    Shape s = h.getShape();
    long[] size = new long[s.dimension() - 2];
    for (int i = 0; i < size.length; i++) {
      size[i] = 2 * s.get(i + 2);
    }
    return h.getNDArrayInternal().interpolation(size, 0, false);
  }

  private void checkInput(Shape s) {
    int m = config.sizeMultiple();
    boolean ok = s.dimension() == dims + 2 && s.get(1) == inChannels;
    for (int i = 2; ok && i < s.dimension(); i++) {
      ok = s.get(i) % m == 0 && s.get(i) > 0;
    }
    if (!ok) {
      throw new IllegalArgumentException(
          "U-Net expects x of rank " + (dims + 2) + " with " + inChannels
              + " channels and spatial sizes divisible by " + m + ", got " + s);
    }
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... shapes) {
    Shape x = shapes[0];
    checkInput(x);
    Shape[] condShapes = shapes.length > 2 ? new Shape[] {shapes[1], shapes[2]} : new Shape[] {shapes[1]};
    embedding.initialize(manager, dataType, condShapes);
    Shape e = embedding.getOutputShapes(condShapes)[0];

    convIn.initialize(manager, dataType, x);
    Shape h = convIn.getOutputShapes(new Shape[] {x})[0];
    Deque<Shape> skips = new ArrayDeque<>();
    skips.push(h);
    for (int i = 0; i < down.size(); i++) {
      Block b = down.get(i);
      Shape[] in = b instanceof ResBlock ? new Shape[] {h, e} : new Shape[] {h};
      b.initialize(manager, dataType, in);
      h = b.getOutputShapes(in)[0];
      boolean attnFollows = b instanceof ResBlock && i + 1 < down.size() && down.get(i + 1) instanceof AttentionBlock;
      if (!attnFollows) {
        skips.push(h);
      }
    }
    for (Block b : mid) {
      Shape[] in = b instanceof ResBlock ? new Shape[] {h, e} : new Shape[] {h};
      b.initialize(manager, dataType, in);
      h = b.getOutputShapes(in)[0];
    }
    for (int i = 0; i < up.size(); i++) {
      Block b = up.get(i);
      Shape[] in;
      switch (upKind.get(i)) {
        case 0:
          Shape s = skips.pop();
          in = new Shape[] {Layers.withChannels(h, h.get(1) + s.get(1)), e};
          break;
        case 1:
          in = new Shape[] {h};
          break;
        default:
          long[] d = h.getShape().clone();
          for (int k = 2; k < d.length; k++) {
            d[k] *= 2;
          }
          in = new Shape[] {new Shape(d)};
      }
      b.initialize(manager, dataType, in);
      h = b.getOutputShapes(in)[0];
    }
    normOut.initialize(manager, dataType, h);
    convOut.initialize(manager, dataType, h);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    long[] out = inputShapes[0].getShape().clone();
    out[1] = outChannels;
    return new Shape[] {new Shape(out)};
  }
}
