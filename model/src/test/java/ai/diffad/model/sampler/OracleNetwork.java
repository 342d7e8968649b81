package ai.diffad.model.sampler;

import ai.diffad.config.PredictionType;
import ai.diffad.model.NetworkFn;
import ai.diffad.model.Predictions;
import ai.diffad.model.schedule.NoiseSchedule;
import ai.djl.ndarray.NDArray;

/**
 * A perfect network for a data set that is a single known x_0: at any (x_t, t) it outputs what the
 * true noise eps = (x_t - sqrt(abar_t) x_0) / sqrt(1 - abar_t) implies for its prediction type.
 * It also counts calls and records the timesteps it was called with.
 */
final class OracleNetwork implements NetworkFn {
  private final NoiseSchedule schedule;
  private final Predictions predictions;
  private final NDArray x0;
  final java.util.List<Integer> calls = new java.util.ArrayList<>();

  OracleNetwork(NoiseSchedule schedule, PredictionType type, NDArray x0) {
    this.schedule = schedule;
    this.predictions = new Predictions(schedule, type);
    this.x0 = x0;
  }

  @Override
  public NDArray apply(NDArray x, NDArray t, NDArray labels) {
    float[] ts = t.toFloatArray();
    int step = (int) ts[0];
    calls.add(step);
    try (NDArray eps = Predictions.epsilonFromX0(schedule, x, x0, step)) {
      NDArray out = predictions.modelOutput(x0, eps, step);
      out.attach(x.getManager());
      return out;
    }
  }
}
