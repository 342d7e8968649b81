package ai.diffad.model.net;

import ai.diffad.model.NetworkFn;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.util.Objects;

/**
 * Classifier-free guidance (Ho &amp; Salimans 2022) over a class-conditional network: {@code out =
 * uncond + w * (cond - uncond)}, where uncond is the network called with the null token (label
 * {@code numClasses}). Both terms come from ONE forward pass over the batch concatenated with
 * itself (size 2N). Shortcuts: labels {@code null} or {@code w == 0} give the unconditional output
 * (one pass of size N); {@code w == 1} gives the conditional output (one pass of size N).
 *
 * <p>Runs in inference mode; intermediates live in a sub-manager closed before returning, the
 * result is attached to x's manager.
 */
public final class GuidedNetwork implements NetworkFn {
  private final Block block;
  private final ParameterStore parameters;
  private final int numClasses;
  private final float guidanceScale;

  /**
   * @param block an initialised class-conditional network (input [x, t, labels])
   * @param parameters the store the block reads its weights through
   * @param numClasses the network's class count; label numClasses is the null token
   * @param guidanceScale w &gt;= 0; 0 = unconditional, 1 = conditional, &gt; 1 = guided
   */
  public GuidedNetwork(Block block, ParameterStore parameters, int numClasses, double guidanceScale) {
    this.block = Objects.requireNonNull(block, "block");
    this.parameters = Objects.requireNonNull(parameters, "parameters");
    if (numClasses < 1) {
      throw new IllegalArgumentException(
          "guidance needs a class-conditional network (numClasses >= 1), got " + numClasses);
    }
    if (!(guidanceScale >= 0) || Double.isInfinite(guidanceScale)) {
      throw new IllegalArgumentException("guidanceScale must be finite and >= 0, got " + guidanceScale);
    }
    this.numClasses = numClasses;
    this.guidanceScale = (float) guidanceScale;
  }

  /** The guidance scale w. */
  public double guidanceScale() {
    return guidanceScale;
  }

  @Override
  public NDArray apply(NDArray x, NDArray t, NDArray labels) {
    NDManager home = x.getManager();
    try (NDManager scratch = home.newSubManager()) {
      x.tempAttach(scratch);
      t.tempAttach(scratch);
      if (labels != null) {
        labels.tempAttach(scratch);
      }
      NDArray nulls = scratch.full(t.getShape(), numClasses, DataType.INT32);
      NDArray out;
      if (labels == null || guidanceScale == 0f) {
        out = block.forward(parameters, new NDList(x, t, nulls), false).singletonOrThrow();
      } else if (guidanceScale == 1f) {
        out = block.forward(parameters, new NDList(x, t, labels), false).singletonOrThrow();
      } else {
        NDList in =
            new NDList(
                NDArrays.concat(new NDList(x, x)),
                NDArrays.concat(new NDList(t, t)),
                NDArrays.concat(new NDList(labels.toType(DataType.INT32, false), nulls)));
        NDList both = block.forward(parameters, in, false).singletonOrThrow().split(2);
        NDArray cond = both.get(0);
        NDArray uncond = both.get(1);
        out = uncond.add(cond.sub(uncond).mul(guidanceScale));
      }
      out.attach(home);
      return out;
    }
  }
}
