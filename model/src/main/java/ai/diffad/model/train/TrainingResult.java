package ai.diffad.model.train;

import java.nio.file.Path;

/**
 * The outcome of {@link Trainer#run()} or {@link Trainer#runUntil}.
 *
 * @param firstStep first step taken in this run (1 for a fresh run, checkpoint step + 1 on resume)
 * @param lastStep last step completed
 * @param lastLoss loss of the last step
 * @param secondsPerStep mean wall-clock seconds per step in this run
 * @param artifact the model directory if the run finished and wrote the artifact, else null
 */
public record TrainingResult(
    int firstStep, int lastStep, double lastLoss, double secondsPerStep, Path artifact) {}
