package ai.diffad.model.train;

import ai.diffad.config.TrainingConfig;

/** Linear warm-up from 0 to the peak, then cosine decay to {@code minLearningRate}. */
final class LearningRate {
  private LearningRate() {}

  /**
   * @param training the settings
   * @param step the 1-based optimisation step about to be taken
   * @return its learning rate
   */
  static double at(TrainingConfig training, int step) {
    double peak = training.learningRate();
    int warmup = training.warmupSteps();
    if (step <= warmup) {
      return peak * step / warmup;
    }
    int decaySteps = training.steps() - warmup;
    double progress = decaySteps <= 0 ? 1.0 : Math.min(1.0, (double) (step - warmup) / decaySteps);
    double min = training.minLearningRate();
    return min + 0.5 * (peak - min) * (1 + Math.cos(Math.PI * progress));
  }
}
