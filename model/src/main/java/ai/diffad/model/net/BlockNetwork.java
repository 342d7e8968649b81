package ai.diffad.model.net;

import ai.diffad.model.NetworkFn;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.util.Objects;

/**
 * A {@link NetworkFn} over an initialised block, in inference mode ({@code training = false}),
 * without guidance: labels, when given, are passed through as the third input. Intermediate
 * arrays live in a sub-manager closed before returning; only the output is attached to x's
 * manager.
 */
public final class BlockNetwork implements NetworkFn {
  private final Block block;
  private final ParameterStore parameters;

  /**
   * @param block an initialised network (for example from {@link Networks#create})
   * @param parameters the store the block reads its weights through, e.g. {@code new
   *     ParameterStore(manager, false)}
   */
  public BlockNetwork(Block block, ParameterStore parameters) {
    this.block = Objects.requireNonNull(block, "block");
    this.parameters = Objects.requireNonNull(parameters, "parameters");
  }

  @Override
  public NDArray apply(NDArray x, NDArray t, NDArray labels) {
    return forward(block, parameters, x, labels == null ? new NDList(x, t) : new NDList(x, t, labels));
  }

  /** Runs {@code block} on {@code inputs} (whose first element is x) in a scratch sub-manager. */
  static NDArray forward(Block block, ParameterStore ps, NDArray x, NDList inputs) {
    NDManager home = x.getManager();
    try (NDManager scratch = home.newSubManager()) {
      for (NDArray a : inputs) {
        a.tempAttach(scratch);
      }
      NDArray out = block.forward(ps, inputs, false).singletonOrThrow();
      out.attach(home);
      return out;
    }
  }
}
