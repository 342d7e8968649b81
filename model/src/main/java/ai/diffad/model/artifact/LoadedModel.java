package ai.diffad.model.artifact;

import ai.diffad.model.NetworkFn;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;

/**
 * A model artifact in memory: the initialised network with its EMA weights, the manifest, and a
 * {@link NetworkFn} for inference. Owns one {@link NDManager}; {@link #close()} frees the weights.
 * One instance may be shared by the samplers of one thread; open one per thread (or per Flink
 * subtask) otherwise.
 */
public final class LoadedModel implements AutoCloseable {
  private final NDManager manager;
  private final Block block;
  private final ModelManifest manifest;
  private final NetworkFn networkFn;

  LoadedModel(NDManager manager, Block block, ModelManifest manifest) {
    this.manager = manager;
    this.block = block;
    this.manifest = manifest;
    ParameterStore store = new ParameterStore(manager, false);
    this.networkFn = (x, t, labels) -> {
      NDArray out = block.forward(store, NetworkFactory.inputs(x, t, labels), false)
          .singletonOrThrow();
      // Keep the contract: the output belongs to the caller's (per-batch) manager.
      out.attach(x.getManager());
      return out;
    };
  }

  /** The network with its weights; inference only ({@code training = false}). */
  public Block block() {
    return block;
  }

  /** The manifest read from {@code model.json}. */
  public ModelManifest manifest() {
    return manifest;
  }

  /** The network as the reverse process sees it; outputs are attached to the input's manager. */
  public NetworkFn networkFn() {
    return networkFn;
  }

  /** The manager that owns the weights. */
  public NDManager manager() {
    return manager;
  }

  /** Frees the weights. */
  @Override
  public void close() {
    manager.close();
  }
}
