package ai.diffad.model.artifact;

import ai.diffad.model.NetworkFn;
import ai.diffad.model.net.UNet;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A model artifact in memory: its initialised networks with their EMA weights (the diffusion
 * {@link ModelManifest#DENOISER} and any other the manifest names), the manifest, the directory it
 * came from (for verified state files), and a {@link NetworkFn} of the denoiser for inference. Owns
 * one {@link NDManager}; {@link #close()} frees the weights. One instance may be shared by the
 * samplers of one thread; open one per thread (or per Flink subtask) otherwise.
 */
public final class LoadedModel implements AutoCloseable {
  private final NDManager manager;
  private final Block block;
  private final Map<String, Block> networks;
  private final ModelManifest manifest;
  private final Path directory;
  private final NetworkFn networkFn;
  private final ParameterStore store;

  LoadedModel(NDManager manager, Map<String, Block> networks, ModelManifest manifest,
      Path directory) {
    this.manager = manager;
    this.networks = Map.copyOf(networks);
    this.block = networks.get(ModelManifest.DENOISER);
    this.manifest = manifest;
    this.directory = directory;
    this.store = new ParameterStore(manager, false);
    this.networkFn = (x, t, labels) -> {
      NDArray out = block.forward(store, NetworkFactory.inputs(x, t, labels), false)
          .singletonOrThrow();
      // Keep the contract: the output belongs to the caller's (per-batch) manager.
      out.attach(x.getManager());
      return out;
    };
  }

  /** The denoiser with its weights; inference only ({@code training = false}). */
  public Block block() {
    return block;
  }

  /** Names of the networks this model holds. */
  public java.util.Set<String> networkNames() {
    return new java.util.TreeSet<>(networks.keySet());
  }

  /**
   * One forward pass (inference) of the named network; the outputs are attached to the manager of
   * the first input.
   *
   * @param name a network of the manifest
   * @param inputs the inputs its {@link NetworkSpec#inputs()} name, in order
   * @throws IllegalArgumentException if the model has no such network
   */
  public NDList forward(String name, NDList inputs) {
    Block b = networks.get(name);
    if (b == null) {
      throw new IllegalArgumentException("model " + manifest.name() + " has no network " + name
          + "; it has " + networkNames());
    }
    NDList out = b.forward(store, inputs, false);
    out.attach(inputs.head().getManager());
    return out;
  }

  /**
   * The bytes of a file of the model other than weights (learned map state), checked against the
   * SHA-256 the manifest of this model lists; empty when the manifest does not list the file.
   *
   * @param name file name relative to the model directory
   * @throws ArtifactException if the file is missing or its SHA-256 differs
   */
  public Optional<byte[]> readFile(String name) {
    String sha = manifest.files().get(name);
    if (sha == null) {
      return Optional.empty();
    }
    Path file = directory.resolve(name);
    byte[] bytes;
    try {
      bytes = java.nio.file.Files.readAllBytes(file);
    } catch (java.io.IOException e) {
      throw new ArtifactException(file, "cannot read (listed in " + ModelArtifact.MANIFEST + "): "
          + e.getMessage(), e);
    }
    String actual = BlockWeights.sha256(bytes);
    if (!actual.equalsIgnoreCase(sha)) {
      throw new ArtifactException(file, "SHA-256 mismatch: " + ModelArtifact.MANIFEST + " says "
          + sha + ", the file has " + actual + "; the file is corrupt or was replaced");
    }
    return Optional.of(bytes);
  }

  /** The model directory this model was loaded from. */
  public Path directory() {
    return directory;
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
