package ai.diffad.model.artifact;

import ai.diffad.config.NetworkConfig;
import java.util.List;
import java.util.Objects;

/**
 * One named network of a model artifact, as {@code model.json} lists it under {@code networks}:
 * enough to rebuild the block and call it.
 *
 * @param file the weight file, relative to the model directory (its SHA-256 is in {@code files})
 * @param network the architecture
 * @param inChannels channels of the input x
 * @param outChannels channels of the output (the input's for a denoiser, 1 for a mask head)
 * @param inputs the block's inputs in order: {@code x}, then {@code t} for a network that takes the
 *     diffusion step, then {@code labels} for a class-conditional one
 */
public record NetworkSpec(String file, NetworkConfig network, int inChannels, int outChannels,
    List<String> inputs) {
  /** Input name of the data tensor. */
  public static final String X = "x";
  /** Input name of the diffusion step (float32, one per sample). */
  public static final String T = "t";
  /** Input name of the class labels (int32, one per sample). */
  public static final String LABELS = "labels";

  /** Checks the fields. */
  public NetworkSpec {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(network, "network");
    inputs = inputs == null ? List.of(X, T) : List.copyOf(inputs);
    if (inChannels < 1 || outChannels < 1) {
      throw new IllegalArgumentException("network " + file + ": channels must be >= 1, got in "
          + inChannels + ", out " + outChannels);
    }
    if (inputs.isEmpty() || !X.equals(inputs.get(0))
        || !List.of(X, T, LABELS).containsAll(inputs)) {
      throw new IllegalArgumentException("network " + file + ": inputs must start with x and name"
          + " only [x, t, labels], got " + inputs);
    }
  }

  /** A diffusion denoiser: x and t (and labels when class-conditional) in, x's channels out. */
  public static NetworkSpec denoiser(String file, NetworkConfig network, int channels) {
    return new NetworkSpec(file, network, channels, channels, network.numClasses() > 0
        ? List.of(X, T, LABELS) : List.of(X, T));
  }

  /**
   * A profile's denoiser: {@link ai.diffad.config.DiffadConfig#denoiserInChannels()} in (C, or
   * 2C + 1 for an imputer: noised rows, clean rows, mask), the data's channels out.
   */
  public static NetworkSpec denoiser(String file, ai.diffad.config.DiffadConfig config) {
    NetworkConfig network = config.network();
    return new NetworkSpec(file, network, config.denoiserInChannels(), config.data().channels(),
        network.numClasses() > 0 ? List.of(X, T, LABELS) : List.of(X, T));
  }

  /** Whether the block takes the diffusion step. */
  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean takesTimestep() {
    return inputs.contains(T);
  }

  /** Whether the block takes class labels. */
  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean takesLabels() {
    return inputs.contains(LABELS);
  }
}
