package ai.diffad.config;

/**
 * How the network is trained: AdamW, linear warm-up then cosine decay, global-norm gradient
 * clipping, an exponential moving average of the weights (used for inference).
 *
 * @param steps optimisation steps
 * @param batchSize images (or windows) per step
 * @param learningRate peak learning rate after warm-up
 * @param weightDecay decoupled AdamW weight decay
 * @param warmupSteps linear warm-up steps from 0 to the peak
 * @param minLearningRate learning rate at the end of the cosine decay
 * @param gradClip maximum global L2 norm of the gradients (0: no clipping)
 * @param emaDecay EMA decay per step, in [0, 1)
 * @param seed seed of every random choice in training (data, crops, t, noise)
 * @param checkpointEvery steps between checkpoints (0: only at the end)
 * @param logEvery steps between loss-curve rows
 * @param labelDropout probability of dropping the class label (classifier-free guidance)
 * @param tMin smallest t drawn in training (inclusive)
 * @param tMax largest t drawn in training (exclusive); default T
 * @param noise noise used by the forward process in training
 */
public record TrainingConfig(
    Integer steps,
    Integer batchSize,
    Double learningRate,
    Double weightDecay,
    Integer warmupSteps,
    Double minLearningRate,
    Double gradClip,
    Double emaDecay,
    Long seed,
    Integer checkpointEvery,
    Integer logEvery,
    Double labelDropout,
    Integer tMin,
    Integer tMax,
    NoiseConfig noise) {

  /** Validates and fills defaults. */
  public TrainingConfig {
    steps = steps == null ? 5000 : steps;
    batchSize = batchSize == null ? 16 : batchSize;
    learningRate = learningRate == null ? 2e-4 : learningRate;
    weightDecay = weightDecay == null ? 0.0 : weightDecay;
    warmupSteps = warmupSteps == null ? Math.min(200, steps / 10) : warmupSteps;
    minLearningRate = minLearningRate == null ? learningRate * 0.05 : minLearningRate;
    gradClip = gradClip == null ? 1.0 : gradClip;
    emaDecay = emaDecay == null ? 0.999 : emaDecay;
    seed = seed == null ? 0L : seed;
    checkpointEvery = checkpointEvery == null ? 1000 : checkpointEvery;
    logEvery = logEvery == null ? 10 : logEvery;
    labelDropout = labelDropout == null ? 0.1 : labelDropout;
    tMin = tMin == null ? 0 : tMin;
    noise = noise == null ? new NoiseConfig(null, null, null, null) : noise;
    Check.positive("steps", (long) steps);
    Check.inRange("batchSize", batchSize, 1, 65_536);
    Check.positive("learningRate", learningRate);
    Check.nonNegative("weightDecay", weightDecay);
    Check.inRange("warmupSteps", warmupSteps, 0, steps);
    Check.inRange("minLearningRate", minLearningRate, 0.0, learningRate);
    Check.nonNegative("gradClip", gradClip);
    Check.inHalfOpen("emaDecay", emaDecay, 0.0, 1.0);
    Check.nonNegative("checkpointEvery", (long) checkpointEvery);
    Check.positive("logEvery", (long) logEvery);
    Check.inHalfOpen("labelDropout", labelDropout, 0.0, 1.0);
    Check.nonNegative("tMin", (long) tMin);
    if (tMax != null && tMax <= tMin) {
      throw new ConfigException("tMax", "must be > tMin (" + tMin + "), got " + tMax);
    }
  }

  /** The exclusive upper bound of training t for a schedule of T steps. */
  public int tMaxFor(int timesteps) {
    return tMax == null ? timesteps : Math.min(tMax, timesteps);
  }

  /** This configuration with a different number of steps (command-line override). */
  public TrainingConfig withSteps(int newSteps) {
    return new TrainingConfig(
        newSteps, batchSize, learningRate, weightDecay, Math.min(warmupSteps, newSteps),
        minLearningRate, gradClip, emaDecay, seed, checkpointEvery, logEvery, labelDropout, tMin,
        tMax, noise);
  }

  /** This configuration with another seed (command-line override, for a spread over seeds). */
  public TrainingConfig withSeed(long newSeed) {
    return new TrainingConfig(
        steps, batchSize, learningRate, weightDecay, warmupSteps, minLearningRate, gradClip,
        emaDecay, newSeed, checkpointEvery, logEvery, labelDropout, tMin, tMax, noise);
  }

  /** This configuration with another batch size (online fine-tuning takes smaller batches). */
  public TrainingConfig withBatchSize(int newBatchSize) {
    return new TrainingConfig(
        steps, newBatchSize, learningRate, weightDecay, warmupSteps, minLearningRate, gradClip,
        emaDecay, seed, checkpointEvery, logEvery, labelDropout, tMin, tMax, noise);
  }
}
