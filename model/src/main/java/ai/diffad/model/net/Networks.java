package ai.diffad.model.net;

import ai.diffad.config.NetworkConfig;
import ai.diffad.config.NetworkKind;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

/** Factory and bookkeeping for the denoising networks. */
public final class Networks {
  private Networks() {}

  /**
   * Builds the network a configuration describes: {@link UNet2d} for unet2d, {@link UNet1d} for
   * unet1d. The block is not initialised; see {@link #inputShapes}.
   *
   * @param config the network configuration
   * @param inChannels input channels (DataConfig.channels)
   */
  public static UNet create(NetworkConfig config, int inChannels) {
    return config.kind() == NetworkKind.UNET1D
        ? new UNet1d(inChannels, config)
        : new UNet2d(inChannels, config);
  }

  /**
   * A U-Net with its own output channel count (for example a segmentation head: 1).
   *
   * @param config the network configuration
   * @param inChannels input channels
   * @param outChannels output channels
   */
  public static UNet create(NetworkConfig config, int inChannels, int outChannels) {
    return config.kind() == NetworkKind.UNET1D
        ? new UNet1d(inChannels, outChannels, config)
        : new UNet2d(inChannels, outChannels, config);
  }

  /**
   * The input shapes for {@code block.initialize(manager, DataType.FLOAT32, shapes)}: x (batch,
   * inChannels, spatial...), t (batch) and, when {@code numClasses > 0}, labels (batch).
   *
   * @param spatial H, W for unet2d or L for unet1d; each divisible by {@code config.sizeMultiple()}
   */
  public static Shape[] inputShapes(NetworkConfig config, int inChannels, int batch, long... spatial) {
    int dims = config.kind() == NetworkKind.UNET1D ? 1 : 2;
    if (spatial.length != dims) {
      throw new IllegalArgumentException(
          config.kind().spelling() + " needs " + dims + " spatial sizes, got " + spatial.length);
    }
    long[] x = new long[dims + 2];
    x[0] = batch;
    x[1] = inChannels;
    System.arraycopy(spatial, 0, x, 2, dims);
    Shape t = new Shape(batch);
    return config.numClasses() > 0
        ? new Shape[] {new Shape(x), t, new Shape(batch)}
        : new Shape[] {new Shape(x), t};
  }

  /** Number of scalar parameters of an initialised block. */
  public static long parameterCount(Block block) {
    long n = 0;
    for (Pair<String, Parameter> p : block.getParameters()) {
      n += p.getValue().getShape().size();
    }
    return n;
  }

  /**
   * Analytic forward cost of one sample, in floating-point operations: 2 x the multiply-adds of
   * every convolution, linear layer (timestep MLP and per-block embedding projections) and the
   * two attention matmuls (q^T k and v w^T). Normalisations, activations, softmax, additions,
   * concatenations and upsampling are not counted (they are memory-bound and small by
   * comparison). A training step (forward + backward) costs about 3 times this.
   *
   * @param spatial H, W for unet2d or L for unet1d
   */
  public static double flopsPerSample(NetworkConfig config, int inChannels, long... spatial) {
    return flopsPerSampleWithOutput(config, inChannels, inChannels, spatial);
  }

  /** As {@link #flopsPerSample(NetworkConfig, int, long...)} for a network with its own output channels. */
  public static double flopsPerSampleWithOutput(NetworkConfig config, int inChannels,
      int outChannels, long... spatial) {
    int dims = config.kind() == NetworkKind.UNET1D ? 1 : 2;
    if (spatial.length != dims) {
      throw new IllegalArgumentException(
          config.kind().spelling() + " needs " + dims + " spatial sizes, got " + spatial.length);
    }
    double positions = 1;
    for (long s : spatial) {
      positions *= s;
    }
    double k3 = Math.pow(3, dims); // taps of a 3-wide kernel
    int base = config.baseChannels();
    int emb = 4 * base;
    Cost c = new Cost(k3, emb);
    c.flops += 2.0 * (base * emb + emb * emb); // timestep MLP
    c.flops += 2.0 * inChannels * base * k3 * positions; // conv_in
    int levels = config.levels();
    java.util.ArrayDeque<Integer> skips = new java.util.ArrayDeque<>();
    skips.push(base);
    int ch = base;
    double p = positions;
    for (int l = 0; l < levels; l++) {
      int out = config.channelsAt(l);
      boolean attn = config.attentionLevels().contains(l);
      for (int b = 0; b < config.blocksPerLevel(); b++) {
        c.res(ch, out, p);
        ch = out;
        if (attn) {
          c.attention(ch, p);
        }
        skips.push(ch);
      }
      if (l < levels - 1) {
        p /= Math.pow(2, dims);
        c.flops += 2.0 * ch * ch * k3 * p; // stride-2 conv, counted at its output size
        skips.push(ch);
      }
    }
    c.res(ch, ch, p);
    if (!config.attentionLevels().isEmpty()) {
      c.attention(ch, p);
    }
    c.res(ch, ch, p);
    for (int l = levels - 1; l >= 0; l--) {
      int out = config.channelsAt(l);
      boolean attn = config.attentionLevels().contains(l);
      for (int b = 0; b <= config.blocksPerLevel(); b++) {
        c.res(ch + skips.pop(), out, p);
        ch = out;
        if (attn) {
          c.attention(ch, p);
        }
      }
      if (l > 0) {
        p *= Math.pow(2, dims);
        c.flops += 2.0 * ch * ch * k3 * p; // conv after upsampling
      }
    }
    c.flops += 2.0 * ch * outChannels * k3 * p; // conv_out
    return c.flops;
  }

  /** Accumulator for {@link #flopsPerSample}. */
  private static final class Cost {
    private final double k3;
    private final int emb;
    private double flops;

    private Cost(double k3, int emb) {
      this.k3 = k3;
      this.emb = emb;
    }

    void res(int in, int out, double p) {
      flops += 2.0 * in * out * k3 * p; // conv1
      flops += 2.0 * emb * out; // embedding projection
      flops += 2.0 * out * out * k3 * p; // conv2
      if (in != out) {
        flops += 2.0 * in * out * p; // 1x1 skip
      }
    }

    void attention(int ch, double p) {
      flops += 2.0 * ch * 3.0 * ch * p; // qkv 1x1
      flops += 2.0 * 2.0 * p * p * ch; // q^T k and v w^T over all heads
      flops += 2.0 * ch * ch * p; // proj 1x1
    }
  }
}
