package ai.diffad.model.sampler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.diffad.config.PredictionType;
import ai.diffad.config.SamplerKind;
import ai.diffad.config.ScheduleConfig;
import ai.diffad.config.ScheduleKind;
import ai.diffad.config.TimestepSpacing;
import ai.diffad.model.ForwardProcess;
import ai.diffad.model.noise.GaussianNoise;
import ai.diffad.model.schedule.NoiseSchedule;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DdimSamplerTest {
  private static final NoiseSchedule LINEAR =
      NoiseSchedule.of(ScheduleConfig.of(ScheduleKind.LINEAR, 1000));
  private static final SamplerOptions NO_CLIP = SamplerOptions.builder().optClip(false).build();
  private NDManager m;

  @BeforeEach
  void open() {
    m = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    m.close();
  }

  private NDArray f64(double... v) {
    return m.create(v, new Shape(1, v.length));
  }

  @Test
  void oneDeterministicStepEqualsEquationTwelveOfSongEtAl() {
    DdimSampler ddim = new DdimSampler(LINEAR, PredictionType.EPSILON, NO_CLIP);
    double[] x = {0.8, -1.3, 0.05};
    double[] eps = {0.4, 1.1, -0.9};
    int t = 500;
    int tPrev = 400;

    StepOutput out = ddim.step(f64(eps), t, tPrev, f64(x), null);

    double abT = LINEAR.alphaBar(t);
    double abPrev = LINEAR.alphaBar(tPrev);
    for (int i = 0; i < 3; i++) {
      double x0 = (x[i] - Math.sqrt(1 - abT) * eps[i]) / Math.sqrt(abT);
      double expected = Math.sqrt(abPrev) * x0 + Math.sqrt(1 - abPrev) * eps[i];
      assertThat(out.predictedX0().toDoubleArray()[i]).isCloseTo(x0, within(1e-12));
      assertThat(out.prevSample().toDoubleArray()[i]).isCloseTo(expected, within(1e-12));
    }
  }

  @Test
  void oneStochasticStepAddsSigmaOfEquationSixteenTimesTheNoise() {
    DdimSampler ddim =
        new DdimSampler(LINEAR, PredictionType.EPSILON, SamplerOptions.builder().optEta(0.5).optClip(false).build());
    double x = 0.3;
    double eps = -0.6;
    double z = 1.7;
    int t = 300;
    int tPrev = 200;

    double prev = ddim.step(f64(eps), t, tPrev, f64(x), f64(z)).prevSample().toDoubleArray()[0];

    double abT = LINEAR.alphaBar(t);
    double abPrev = LINEAR.alphaBar(tPrev);
    double sigma = 0.5 * Math.sqrt((1 - abPrev) / (1 - abT)) * Math.sqrt(1 - abT / abPrev);
    double x0 = (x - Math.sqrt(1 - abT) * eps) / Math.sqrt(abT);
    double expected =
        Math.sqrt(abPrev) * x0 + Math.sqrt(1 - abPrev - sigma * sigma) * eps + sigma * z;
    assertThat(sigma).isGreaterThan(0.01);
    assertThat(ddim.sigma(t, tPrev)).isCloseTo(sigma, within(1e-15));
    assertThat(prev).isCloseTo(expected, within(1e-12));
  }

  @Test
  void clippingBoundsPredictedX0ButKeepsTheNetworksEpsilonForTheDirection() {
    DdimSampler ddim = new DdimSampler(LINEAR, PredictionType.EPSILON, SamplerOptions.defaults());
    double x = 0.9;
    double eps = -3.0;
    int t = 600;
    int tPrev = 300;

    StepOutput out = ddim.step(f64(eps), t, tPrev, f64(x), null);

    double abPrev = LINEAR.alphaBar(tPrev);
    assertThat(out.predictedX0().toDoubleArray()[0]).isEqualTo(1.0);
    assertThat(out.prevSample().toDoubleArray()[0])
        .isCloseTo(Math.sqrt(abPrev) * 1.0 + Math.sqrt(1 - abPrev) * eps, within(1e-12));
  }

  @Test
  void withTheTrueNoiseEveryDeterministicStepLandsOnTheForwardMarginal() {
    DdimSampler ddim = new DdimSampler(LINEAR, PredictionType.EPSILON, NO_CLIP);
    NDArray x0 = f64(0.5, -0.25, 0.75, -0.9);
    NDArray eps = f64(1.0, -1.5, 0.2, 0.6);
    ForwardProcess forward = new ForwardProcess(LINEAR);
    TimestepPlan plan = ddim.timesteps(7, 700);
    NDArray x = forward.addNoise(x0, eps, 700);

    for (int i = 0; i < plan.size(); i++) {
      x = ddim.step(eps, plan.t(i), plan.prev(i), x, null).prevSample();
      double[] expected =
          plan.prev(i) < 0 ? x0.toDoubleArray() : forward.addNoise(x0, eps, plan.prev(i)).toDoubleArray();
      assertThat(x.toDoubleArray()).as("after step to %d", plan.prev(i))
          .containsExactly(expected, within(1e-12));
    }
  }

  @ParameterizedTest(name = "tStart={0}, steps={1}, {2}, {3}")
  @CsvSource({
    "50, 1, TRAILING, EPSILON",
    "50, 10, LINSPACE, EPSILON",
    "50, 51, LEADING, EPSILON",
    "250, 5, TRAILING, V",
    "250, 25, LEADING, EPSILON",
    "250, 100, LINSPACE, SAMPLE",
    "999, 10, TRAILING, EPSILON",
    "999, 50, LEADING, V",
    "999, 200, LINSPACE, EPSILON",
  })
  void deterministicDdimWithAnOracleNetworkRecoversX0(
      int tStart, int steps, TimestepSpacing spacing, PredictionType type) {
    // float64: at t = 999 sqrt(abar) is 0.006, so float32 would lose the 1e-5 bound to rounding.
    NDArray x0 = m.create(new double[] {0.5, -0.25, 0.75, -0.9, 0.0, 0.1, 0.33, -0.66}, new Shape(2, 1, 4));
    NDArray eps = new GaussianNoise().sample(m, new Shape(2, 1, 4), 42).toType(DataType.FLOAT64, false);
    NDArray xStart = new ForwardProcess(LINEAR).addNoise(x0, eps, tStart);
    Sampler ddim = Samplers.create(SamplerKind.DDIM, LINEAR, type,
        SamplerOptions.builder().optSpacing(spacing).build());
    OracleNetwork oracle = new OracleNetwork(LINEAR, type, x0);

    ReverseProcess.Result r = new ReverseProcess(ddim).run(oracle, steps, tStart, xStart, null, 1);

    assertThat(oracle.calls).hasSize(steps);
    assertThat(r.x0().toDoubleArray()).containsExactly(x0.toDoubleArray(), within(1e-5));
    assertThat(r.firstPredictedX0().toDoubleArray()).containsExactly(x0.toDoubleArray(), within(1e-5));
  }

  @Test
  void stochasticStepWithoutNoiseIsRefused() {
    DdimSampler ddim = new DdimSampler(LINEAR, PredictionType.EPSILON, SamplerOptions.builder().optEta(1).build());

    assertThat(ddim.needsNoise(10, -1)).isFalse();
    assertThatThrownBy(() -> ddim.step(f64(1), 10, 5, f64(1), null))
        .hasMessageContaining("step 10 -> 5 is stochastic and needs noise");
    assertThatThrownBy(() -> ddim.step(f64(1), 10, 10, f64(1), null))
        .hasMessageContaining("tPrev must be in [-1, t = 10)");
  }
}
