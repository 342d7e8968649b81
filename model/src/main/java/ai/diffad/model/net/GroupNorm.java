package ai.diffad.model.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Arrays;

/**
 * Group normalisation (Wu &amp; He 2018), which DJL lacks: the channels of each sample are split
 * into {@code groups} groups, each group is normalised to zero mean and unit variance over its
 * channels and spatial positions (biased variance, as PyTorch's {@code GroupNorm}), then a
 * per-channel scale {@code gamma} and shift {@code beta} are applied.
 *
 * <p>Input (N, C, ...) of any rank &gt;= 2; output the same shape. Seven native ops: reshape to
 * (N, G, -1), one {@code layer_norm} over the last axis (with unit weight and zero bias, which the
 * native op requires), reshape back, multiply, add.
 * Parameters {@code gamma} (ones) and {@code beta} (zeros) have shape (C, 1, ..., 1) so that they
 * broadcast without a reshape per call.
 */
public final class GroupNorm extends AbstractBlock {
  private static final byte VERSION = 1;

  private final int groups;
  private final int channels;
  private final float epsilon;
  private final Parameter gamma;
  private final Parameter beta;

  private GroupNorm(Builder b) {
    super(VERSION);
    this.groups = b.groups;
    this.channels = b.channels;
    this.epsilon = b.epsilon;
    gamma =
        addParameter(
            Parameter.builder().setName("gamma").setType(Parameter.Type.GAMMA).build());
    beta =
        addParameter(Parameter.builder().setName("beta").setType(Parameter.Type.BETA).build());
  }

  /** Starts a builder; {@code setGroups} and {@code setChannels} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Number of groups. */
  public int groups() {
    return groups;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    NDArray g = ps.getValue(gamma, x.getDevice(), training);
    NDArray bt = ps.getValue(beta, x.getDevice(), training);
    return new NDList(apply(x, g, bt, groups, epsilon));
  }

  /**
   * The functional form: {@code x} (N, C, ...) normalised in {@code groups} groups, then {@code
   * x * gamma + beta} with {@code gamma}, {@code beta} broadcastable against x.
   */
  public static NDArray apply(NDArray x, NDArray gamma, NDArray beta, int groups, float eps) {
    Shape s = x.getShape();
    long n = s.get(0);
    long rest = s.size() / (n * groups);
    NDArray y = x.reshape(n, groups, rest);
    // The native layer_norm insists on an affine pair; (rest)-sized ones/zeros are two cheap
    // allocations, and the per-channel affine cannot be expressed over the (N, G, rest) view.
    Shape rs = new Shape(rest);
    NDManager m = x.getManager();
    y = LayerNorm.layerNorm(y, rs, m.ones(rs), m.zeros(rs), eps).singletonOrThrow();
    return y.reshape(s).mul(gamma).add(beta);
  }

  @Override
  protected void prepare(Shape[] inputShapes) {
    Shape in = inputShapes[0];
    if (in.get(1) != channels) {
      throw new IllegalArgumentException(
          "GroupNorm built for " + channels + " channels got input " + in);
    }
    long[] d = new long[in.dimension() - 1];
    Arrays.fill(d, 1);
    d[0] = channels;
    gamma.setShape(new Shape(d));
    beta.setShape(new Shape(d));
  }

  @Override
  protected void initializeChildBlocks(
      NDManager manager, DataType dataType, Shape... inputShapes) {
    // no children
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }

  /** Builder for {@link GroupNorm}. */
  public static final class Builder {
    private int groups;
    private int channels;
    private float epsilon = 1e-5f;

    private Builder() {}

    /** Number of groups; must divide the channel count. */
    public Builder setGroups(int groups) {
      this.groups = groups;
      return this;
    }

    /** Number of channels C of the input (N, C, ...). */
    public Builder setChannels(int channels) {
      this.channels = channels;
      return this;
    }

    /** Added to the variance; default 1e-5 as in PyTorch. */
    public Builder optEpsilon(float epsilon) {
      this.epsilon = epsilon;
      return this;
    }

    /** Validates and builds. */
    public GroupNorm build() {
      if (groups < 1 || channels < 1 || channels % groups != 0) {
        throw new IllegalArgumentException(
            "GroupNorm groups must divide channels, got groups=" + groups + ", channels=" + channels);
      }
      if (!(epsilon > 0)) {
        throw new IllegalArgumentException("GroupNorm epsilon must be > 0, got " + epsilon);
      }
      return new GroupNorm(this);
    }
  }
}
