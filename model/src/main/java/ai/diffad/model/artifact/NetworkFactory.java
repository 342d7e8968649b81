package ai.diffad.model.artifact;

import ai.diffad.config.DiffadConfig;
import ai.diffad.config.NetworkConfig;
import ai.diffad.model.net.Networks;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;

/**
 * Builds the (uninitialised) denoising network of a configuration. The trainer builds two copies
 * (training weights and their moving average) and the artifact loader one; all must be the same
 * architecture so that parameter files are interchangeable.
 *
 * <p>The block contract: inputs {@code [x (N, C, H, W) or (N, C, L) float32, t (N) float32]},
 * plus {@code labels (N) int32} as a third input when {@code numClasses > 0} (label
 * {@code numClasses} is the "no label" index used for classifier-free guidance); output
 * {@code [same shape as x]}.
 */
@FunctionalInterface
public interface NetworkFactory {
  /**
   * @param network the architecture
   * @param inChannels input (and output) channels
   * @return a new, uninitialised block
   */
  Block create(NetworkConfig network, int inChannels);

  /**
   * Builds the network of a manifest entry: a denoiser (output channels = input channels) through
   * {@link #create(NetworkConfig, int)}, any other through {@link Networks#create(NetworkConfig,
   * int, int)}.
   */
  default Block create(NetworkSpec spec) {
    return spec.outChannels() == spec.inChannels()
        ? create(spec.network(), spec.inChannels())
        : Networks.create(spec.network(), spec.inChannels(), spec.outChannels());
  }

  /** The diffad U-Nets: {@code Networks.create} (UNet2d for images, UNet1d for sensors). */
  static NetworkFactory standard() {
    return Networks::create;
  }

  /** The input shapes to initialise the network of {@code spec} with (batch of one). */
  static Shape[] inputShapes(DiffadConfig config, NetworkSpec spec) {
    int s = config.data().size();
    Shape x = config.data().format().isSeries()
        ? new Shape(1, spec.inChannels(), s)
        : new Shape(1, spec.inChannels(), s, s);
    java.util.List<Shape> shapes = new java.util.ArrayList<>();
    shapes.add(x);
    if (spec.takesTimestep()) {
      shapes.add(new Shape(1));
    }
    if (spec.takesLabels()) {
      shapes.add(new Shape(1));
    }
    return shapes.toArray(new Shape[0]);
  }

  /** The input shapes to initialise a block of {@code config} with (batch of one). */
  static Shape[] inputShapes(DiffadConfig config) {
    int c = config.data().channels();
    int s = config.data().size();
    Shape x = config.data().format().isSeries()
        ? new Shape(1, c, s)
        : new Shape(1, c, s, s);
    return config.network().numClasses() > 0
        ? new Shape[] {x, new Shape(1), new Shape(1)}
        : new Shape[] {x, new Shape(1)};
  }

  /** The block inputs for one call; {@code labels} may be null for an unconditional network. */
  static NDList inputs(NDArray x, NDArray t, NDArray labels) {
    return labels == null ? new NDList(x, t) : new NDList(x, t, labels);
  }
}
