package ai.diffad.model.train;

import ai.diffad.model.artifact.NetworkSpec;
import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * What {@link Trainer} optimises: the networks to train and the loss of one step. The loop owns
 * batching of steps, the optimiser, clipping, EMA, checkpoints, resume, progress and the loss
 * file; an objective owns its data sampling and its loss. {@link DiffusionObjective} (the DDPM noise
 * MSE) is the standard one; an objective with networks of its own (a segmentation head trained on
 * synthetic anomalies, say) is a new implementation, not a new loop.
 *
 * <p>For exact resume, every random choice of step {@code s} must depend on ({@link
 * Trainer.StepContext#seed()}, s) alone.
 */
public interface TrainingObjective {
  /**
   * The networks trained, by name, in a fixed order (the optimiser's moments are saved in this
   * order). One of them is {@link ai.diffad.model.artifact.ModelManifest#DENOISER}; each is saved
   * into the model artifact under its spec's file.
   */
  Map<String, NetworkSpec> networks();

  /** Called once per run before the first step it takes (default: nothing). */
  default void start() {}

  /** Called once when the run ends, also on failure: free threads or buffers (default: nothing). */
  default void stop() {}

  /**
   * The scalar loss of one step, computed with the context's training-mode forward passes; the
   * loop calls backward on it.
   */
  NDArray loss(Trainer.StepContext step);
}
