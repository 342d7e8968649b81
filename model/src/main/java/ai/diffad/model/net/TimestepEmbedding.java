package ai.diffad.model.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;

/**
 * Conditioning vector of a diffusion network: sinusoidal timestep features, an MLP (Linear, SiLU,
 * Linear), plus, for a class-conditional network, a learned label embedding added after the MLP
 * (as diffusers' {@code UNet2DModel} does with {@code class_embedding}).
 *
 * <p>Input NDList {@code [t]} or {@code [t, labels]}: t float32 (N), labels int32 (N) in
 * 0..numClasses, where label {@code numClasses} is the "no label" null token used for label
 * dropout and unconditional calls. A conditional block called without labels uses the null token.
 * Output {@code [emb]} float32 (N, embedDim), before any activation.
 */
public final class TimestepEmbedding extends AbstractBlock {
  private static final byte VERSION = 1;
  private static final double MAX_PERIOD = 10_000.0;

  private final int featureDim;
  private final int embedDim;
  private final int numClasses;
  private final Block linear1;
  private final Block linear2;
  private final Parameter labelTable;

  /**
   * @param featureDim number of sinusoidal features (the U-Net uses its base channel count)
   * @param embedDim output width of the MLP (the U-Net uses 4x base channels, as DDPM)
   * @param numClasses 0 for no label embedding; otherwise a table of numClasses + 1 rows
   */
  public TimestepEmbedding(int featureDim, int embedDim, int numClasses) {
    super(VERSION);
    if (featureDim < 2 || embedDim < 1 || numClasses < 0) {
      throw new IllegalArgumentException(
          "TimestepEmbedding needs featureDim >= 2, embedDim >= 1, numClasses >= 0, got "
              + featureDim + ", " + embedDim + ", " + numClasses);
    }
    this.featureDim = featureDim;
    this.embedDim = embedDim;
    this.numClasses = numClasses;
    linear1 = addChildBlock("linear1", Layers.linear(embedDim));
    linear2 = addChildBlock("linear2", Layers.linear(embedDim));
    if (numClasses > 0) {
      labelTable =
          addParameter(
              Parameter.builder()
                  .setName("labelEmbedding")
                  .setType(Parameter.Type.WEIGHT)
                  .optShape(new Shape(numClasses + 1, embedDim))
                  .optInitializer(new NormalInitializer(1f))
                  .build());
    } else {
      labelTable = null;
    }
  }

  /**
   * Sinusoidal timestep features as diffusers' {@code get_timestep_embedding(t, dim,
   * flip_sin_to_cos=True, downscale_freq_shift=0, scale=1, max_period=10000)}: with {@code half =
   * dim / 2} and {@code f_i = exp(-ln(10000) * i / half)}, the row for t is {@code [cos(t f_0) ..
   * cos(t f_{half-1}), sin(t f_0) .. sin(t f_{half-1})]}, zero-padded by one column if dim is odd.
   *
   * @param t timesteps, shape (N), any numeric type
   * @param dim number of features
   * @return float32 (N, dim), on t's manager
   */
  public static NDArray sinusoidal(NDArray t, int dim) {
    int half = dim / 2;
    float[] freqs = new float[half];
    for (int i = 0; i < half; i++) {
      freqs[i] = (float) Math.exp(-Math.log(MAX_PERIOD) * i / half);
    }
    NDArray tf = t.getDataType() == DataType.FLOAT32 ? t : t.toType(DataType.FLOAT32, false);
    NDArray args = tf.reshape(-1, 1).mul(t.getManager().create(freqs, new Shape(1, half)));
    NDList parts = new NDList(args.cos(), args.sin());
    if (dim % 2 == 1) {
      parts.add(t.getManager().zeros(new Shape(args.getShape().get(0), 1)));
    }
    return NDArrays.concat(parts, 1);
  }

  /** Width of the output vector. */
  public int embedDim() {
    return embedDim;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray t = inputs.get(0);
    NDArray h = sinusoidal(t, featureDim);
    h = linear1.forward(ps, new NDList(h), training).singletonOrThrow();
    h = linear2.forward(ps, new NDList(Layers.silu(h)), training).singletonOrThrow();
    if (labelTable != null) {
      NDArray labels =
          inputs.size() > 1 && inputs.get(1) != null
              ? inputs.get(1)
              : t.getManager().full(t.getShape(), numClasses, DataType.INT32);
      NDArray table = ps.getValue(labelTable, t.getDevice(), training);
      h = h.add(Embedding.embedding(labels, table, SparseFormat.DENSE).singletonOrThrow());
    }
    return new NDList(h);
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... shapes) {
    long n = shapes[0].get(0);
    linear1.initialize(manager, dataType, new Shape(n, featureDim));
    linear2.initialize(manager, dataType, new Shape(n, embedDim));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), embedDim)};
  }
}
