package ai.diffad.model.train;

import ai.diffad.config.DataConfig;
import ai.diffad.config.DataFormat;
import ai.diffad.config.DiffadConfig;
import ai.diffad.config.NetworkConfig;
import ai.diffad.config.NoiseConfig;
import ai.diffad.config.PredictionType;
import ai.diffad.config.ScheduleConfig;
import ai.diffad.config.ScheduleKind;
import ai.diffad.config.TrainingConfig;
import java.util.List;

/** Small configurations for trainer tests. */
final class TrainerFixtures {
  private TrainerFixtures() {}

  static DiffadConfig config(
      PredictionType prediction, int steps, int checkpointEvery, int logEvery, int tMax,
      double lr) {
    return config(prediction, steps, checkpointEvery, logEvery, tMax, lr, null);
  }

  static DiffadConfig config(
      PredictionType prediction, int steps, int checkpointEvery, int logEvery, int tMax,
      double lr, NoiseConfig noise) {
    return new DiffadConfig(
        "tiny",
        ScheduleConfig.of(ScheduleKind.LINEAR, 1000),
        prediction,
        new NetworkConfig(null, 16, List.of(1), null, null, 8, null, null),
        new TrainingConfig(
            steps, 8, lr, 0.01, Math.min(20, steps), null, 1.0, 0.99, 7L, checkpointEvery,
            logEvery, null, 0, tMax, noise),
        new DataConfig(DataFormat.IMAGES, 1, 16, null, true, true, null, null));
  }
}
