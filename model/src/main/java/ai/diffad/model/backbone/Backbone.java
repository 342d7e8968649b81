package ai.diffad.model.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.List;

/**
 * A pretrained feature extractor: the activations of chosen layers for a batch of RGB images.
 * Implementations hold their weights in a manager of their own and release them in
 * {@link #close()}; {@link #features} creates its results in the manager of its input.
 */
public interface Backbone extends AutoCloseable {
  /** The backbone's name (packaged name or file name). */
  String name();

  /** SHA-256 (lower-case hex) of the weights it was loaded from: its identity in a model. */
  String sha256();

  /** The names of the layers {@link #features} can return, in the order they are computed. */
  List<String> layers();

  /**
   * The activations of {@code layers} (each (N, C, H', W')) for the input.
   *
   * @param x (N, 3, H, W), RGB, already normalised as the backbone expects
   * @throws IllegalArgumentException naming the layer if a layer does not exist
   */
  NDList features(NDArray x, List<String> layers);

  @Override
  void close();
}
