package ai.diffad.model.train;

/**
 * What happened in one optimisation step, for progress listeners.
 *
 * @param step 1-based step just completed
 * @param totalSteps steps of the whole run
 * @param loss this step's loss (MSE on the prediction target)
 * @param smoothedLoss exponential moving average of the loss (bias-corrected)
 * @param learningRate learning rate used in this step
 * @param gradNorm global L2 norm of the gradients before clipping
 * @param elapsedSeconds wall-clock training time so far, including runs before a resume
 */
public record StepReport(
    int step,
    int totalSteps,
    double loss,
    double smoothedLoss,
    double learningRate,
    double gradNorm,
    double elapsedSeconds) {}
