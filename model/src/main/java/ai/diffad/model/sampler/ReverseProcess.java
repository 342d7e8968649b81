package ai.diffad.model.sampler;

import ai.diffad.model.NetworkFn;
import ai.diffad.model.noise.GaussianNoise;
import ai.diffad.model.noise.NoiseGenerator;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The reconstruction loop (diffusers' pipeline {@code __call__}): one network call per plan step,
 * then one sampler step. Each step runs in its own sub-manager of the starting sample's manager,
 * so native memory stays flat however long the loop: only the new sample (and the first step's
 * predicted x_0) survive a step.
 *
 * <p>Step noise is drawn from {@code seed}: the generator is asked for noise at step i with the
 * i-th value of a {@link SplittableRandom} seeded with {@code seed}, so a run is reproducible and
 * independent of which steps happen to need noise. Immutable and thread-safe.
 */
public final class ReverseProcess {

  /**
   * The outcome of a run, both arrays in the starting sample's manager.
   *
   * @param x0 the reconstruction: the sample after the last step
   * @param firstPredictedX0 the predicted x_0 of the first step (a one-step reconstruction)
   */
  public record Result(NDArray x0, NDArray firstPredictedX0) {}

  private final Sampler sampler;
  private final NoiseGenerator stepNoise;

  /**
   * @param sampler the update rule
   * @param stepNoise noise for stochastic steps: Gaussian normally; simplex for AnoDDPM-style
   *     reconstruction
   */
  public ReverseProcess(Sampler sampler, NoiseGenerator stepNoise) {
    this.sampler = Objects.requireNonNull(sampler, "sampler");
    this.stepNoise = Objects.requireNonNull(stepNoise, "stepNoise");
  }

  /** A reverse process with Gaussian step noise. */
  public ReverseProcess(Sampler sampler) {
    this(sampler, new GaussianNoise());
  }

  /** The update rule. */
  public Sampler sampler() {
    return sampler;
  }

  /**
   * Runs the plan from x_{tStart} to x_0.
   *
   * @param network the model; called once per step with (x, t as float32 (N), labels)
   * @param plan the steps, typically {@code sampler.timesteps(n, tStart)}
   * @param xStart the sample at the plan's start, shape (N, ...); not modified or closed
   * @param labels class labels (N) or null for an unconditional model; not modified or closed
   * @param seed seed of the step noise
   * @return the reconstruction and the first step's predicted x_0, in xStart's manager
   */
  public Result run(NetworkFn network, TimestepPlan plan, NDArray xStart, NDArray labels, long seed) {
    return run(network, plan, xStart, labels, seed, null);
  }

  /** Sees the predicted x_0 of every step (an ensemble over steps, say). */
  @FunctionalInterface
  public interface StepObserver {
    /**
     * @param index the step's index in the plan, from 0
     * @param predictedX0 the step's estimate of x_0, in the step's manager (freed when the step
     *     ends: copy or attach what is kept)
     */
    void step(int index, NDArray predictedX0);
  }

  /**
   * {@link #run(NetworkFn, TimestepPlan, NDArray, NDArray, long)} telling {@code observer} (if not
   * null) each step's predicted x_0.
   */
  public Result run(NetworkFn network, TimestepPlan plan, NDArray xStart, NDArray labels, long seed,
      StepObserver observer) {
    Objects.requireNonNull(network, "network");
    Objects.requireNonNull(plan, "plan");
    NDManager parent = xStart.getManager();
    Shape shape = xStart.getShape();
    long batch = shape.get(0);
    SplittableRandom seeds = new SplittableRandom(seed);
    NDArray x = xStart.duplicate();
    NDArray firstX0 = null;
    try {
      for (int i = 0; i < plan.size(); i++) {
        int t = plan.t(i);
        int tPrev = plan.prev(i);
        long stepSeed = seeds.nextLong();
        try (NDManager sub = parent.newSubManager()) {
          // The current sample lives in this step's manager, so the network's intermediates do
          // too, and it is freed when the step ends.
          x.attach(sub);
          NDArray tArray = sub.full(new Shape(batch), (float) t);
          NDArray stepLabels = null;
          if (labels != null) {
            stepLabels = labels.duplicate();
            stepLabels.attach(sub);
          }
          NDArray output = network.apply(x, tArray, stepLabels);
          output.attach(sub);
          NDArray noise = null;
          if (sampler.needsNoise(t, tPrev)) {
            noise = stepNoise.sample(sub, shape, stepSeed);
            if (noise.getDataType() != x.getDataType()) {
              noise = noise.toType(x.getDataType(), false);
            }
          }
          StepOutput out = sampler.step(output, t, tPrev, x, noise);
          if (observer != null) {
            observer.step(i, out.predictedX0());
          }
          out.prevSample().attach(parent);
          if (i == 0) {
            out.predictedX0().attach(parent);
            firstX0 = out.predictedX0();
          }
          x = out.prevSample();
        }
      }
      return new Result(x, firstX0);
    } catch (RuntimeException e) {
      x.close();
      if (firstX0 != null) {
        firstX0.close();
      }
      throw e;
    }
  }

  /** Convenience: plan {@code numSteps} steps from {@code tStart} with the sampler and run them. */
  public Result run(
      NetworkFn network, int numSteps, int tStart, NDArray xStart, NDArray labels, long seed) {
    return run(network, sampler.timesteps(numSteps, tStart), xStart, labels, seed);
  }

  @Override
  public String toString() {
    return "ReverseProcess[" + sampler + ", step noise " + stepNoise + "]";
  }
}
