package ai.diffad.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.diffad.config.PredictionType;
import ai.diffad.config.ScheduleConfig;
import ai.diffad.config.ScheduleKind;
import ai.diffad.model.schedule.NoiseSchedule;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PredictionsTest {
  private static final NoiseSchedule COSINE =
      NoiseSchedule.of(ScheduleConfig.of(ScheduleKind.COSINE, 1000));

  @ParameterizedTest(name = "{0} at t={1}")
  @CsvSource({
    "EPSILON, 0", "EPSILON, 500", "EPSILON, 990",
    "V, 0", "V, 500", "V, 990",
    "SAMPLE, 0", "SAMPLE, 500", "SAMPLE, 990"
  })
  void consistentX0AndNoiseRoundTripThroughEveryRepresentation(PredictionType type, int t) {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x0 = m.create(new double[] {0.9, -0.4, 0.1, -1.0, 0.0, 0.55}, new Shape(1, 6));
      NDArray eps = m.create(new double[] {-1.2, 0.3, 2.1, 0.0, -0.5, 1.0}, new Shape(1, 6));
      NDArray xt = new ForwardProcess(COSINE).addNoise(x0, eps, t);
      Predictions p = new Predictions(COSINE, type);

      NDArray output = p.modelOutput(x0, eps, t);

      assertThat(p.x0(output, xt, t).toDoubleArray())
          .containsExactly(x0.toDoubleArray(), within(1e-6));
      assertThat(p.epsilon(output, xt, t).toDoubleArray())
          .containsExactly(eps.toDoubleArray(), within(1e-6));
    }
  }

  @ParameterizedTest(name = "t={0}")
  @CsvSource({"10", "400", "800"})
  void velocityConversionsMatchTheClosedFormOfSalimansAndHo(int t) {
    double a = Math.sqrt(COSINE.alphaBar(t));
    double b = Math.sqrt(1 - COSINE.alphaBar(t));
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray xt = m.create(new double[] {0.7});
      NDArray v = m.create(new double[] {-0.3});
      Predictions p = new Predictions(COSINE, PredictionType.V);

      assertThat(p.x0(v, xt, t).toDoubleArray()[0]).isCloseTo(a * 0.7 + b * 0.3, within(1e-12));
      assertThat(p.epsilon(v, xt, t).toDoubleArray()[0]).isCloseTo(b * 0.7 - a * 0.3, within(1e-12));
    }
  }
}
