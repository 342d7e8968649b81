package ai.diffad.model.artifact;

import ai.diffad.model.NetworkFn;
import ai.diffad.model.net.UNet;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

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
  private final ParameterStore store;

  LoadedModel(NDManager manager, Block block, ModelManifest manifest) {
    this.manager = manager;
    this.block = block;
    this.manifest = manifest;
    this.store = new ParameterStore(manager, false);
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

  /**
   * The encoder activations of the network at every resolution level (see {@link UNet#FEATURES}),
   * attached to {@code x}'s manager.
   *
   * @param x input batch (N, C, H, W) or (N, C, L)
   * @param t timesteps (N)
   * @param labels class labels (N) for class-conditional models, or null
   * @throws UnsupportedOperationException if the network is not a U-Net
   */
  public NDList features(NDArray x, NDArray t, NDArray labels) {
    if (!(block instanceof UNet)) {
      throw new UnsupportedOperationException(manifest.config().network().kind()
          + " does not expose encoder features");
    }
    PairList<String, Object> params = new PairList<>();
    params.add(UNet.FEATURES, Boolean.TRUE);
    NDList out = block.forward(store, NetworkFactory.inputs(x, t, labels), false, params);
    out.attach(x.getManager());
    return out;
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
