package ai.diffad.model.sampler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.diffad.config.PredictionType;
import ai.diffad.config.ScheduleConfig;
import ai.diffad.config.ScheduleKind;
import ai.diffad.config.VarianceType;
import ai.diffad.model.schedule.NoiseSchedule;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DdpmSamplerTest {
  private static final NoiseSchedule LINEAR =
      NoiseSchedule.of(ScheduleConfig.of(ScheduleKind.LINEAR, 1000));

  private static DdpmSampler ddpm(VarianceType variance) {
    return new DdpmSampler(LINEAR, PredictionType.EPSILON,
        SamplerOptions.builder().optVariance(variance).optClip(false).build());
  }

  @ParameterizedTest(name = "t={0}")
  @CsvSource({"1", "10", "500", "999"})
  void singleStepPosteriorEqualsEquationSevenOfHoEtAl(int t) {
    double[] beta = LINEAR.betas();
    double[] ab = LINEAR.alphaBars();
    double x0Coef = Math.sqrt(ab[t - 1]) * beta[t] / (1 - ab[t]);
    double xtCoef = Math.sqrt(1 - beta[t]) * (1 - ab[t - 1]) / (1 - ab[t]);
    double betaTilde = (1 - ab[t - 1]) / (1 - ab[t]) * beta[t];

    DdpmSampler.Posterior small = ddpm(VarianceType.FIXED_SMALL).posterior(t, t - 1);
    DdpmSampler.Posterior large = ddpm(VarianceType.FIXED_LARGE).posterior(t, t - 1);

    assertThat(small.x0Coef()).isCloseTo(x0Coef, within(1e-12 * x0Coef));
    assertThat(small.xtCoef()).isCloseTo(xtCoef, within(1e-12 * xtCoef));
    assertThat(small.variance()).isCloseTo(betaTilde, within(1e-12 * betaTilde));
    assertThat(large.variance()).isCloseTo(beta[t], within(1e-12 * beta[t]));
    assertThat(large.x0Coef()).isEqualTo(small.x0Coef());
  }

  @Test
  void respacedPosteriorUsesTheBetaImpliedByAlphaBarOfConsecutiveSteps() {
    double abT = LINEAR.alphaBar(600);
    double abPrev = LINEAR.alphaBar(400);
    double beta = 1 - abT / abPrev;

    DdpmSampler.Posterior p = ddpm(VarianceType.FIXED_SMALL).posterior(600, 400);

    assertThat(p.x0Coef()).isCloseTo(Math.sqrt(abPrev) * beta / (1 - abT), within(1e-14));
    assertThat(p.xtCoef()).isCloseTo(Math.sqrt(1 - beta) * (1 - abPrev) / (1 - abT), within(1e-14));
    assertThat(p.variance()).isCloseTo((1 - abPrev) / (1 - abT) * beta, within(1e-14));
    // The posterior mean of a consistent pair is the forward marginal's mean direction:
    // x0Coef + xtCoef * sqrt(abar_t) = sqrt(abar_prev).
    assertThat(p.x0Coef() + p.xtCoef() * Math.sqrt(abT)).isCloseTo(Math.sqrt(abPrev), within(1e-14));
  }

  @Test
  void lastStepIsDeterministicAndReturnsPredictedX0() {
    DdpmSampler s = ddpm(VarianceType.FIXED_LARGE);
    DdpmSampler.Posterior p = s.posterior(99, -1);

    assertThat(s.needsNoise(99, -1)).isFalse();
    assertThat(p.variance()).isZero();
    assertThat(p.x0Coef()).isCloseTo(1.0, within(1e-15));
    assertThat(p.xtCoef()).isZero();
  }

  @Test
  void oneStepEqualsPosteriorMeanPlusStandardDeviationTimesNoise() {
    DdpmSampler s = ddpm(VarianceType.FIXED_SMALL);
    int t = 300;
    int tPrev = 250;
    double x = 0.4;
    double eps = -0.8;
    double z = 0.9;
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray out = s.step(m.create(new double[] {eps}, new Shape(1, 1)), t, tPrev,
          m.create(new double[] {x}, new Shape(1, 1)), m.create(new double[] {z}, new Shape(1, 1)))
          .prevSample();

      double abT = LINEAR.alphaBar(t);
      double abPrev = LINEAR.alphaBar(tPrev);
      double beta = 1 - abT / abPrev;
      double x0 = (x - Math.sqrt(1 - abT) * eps) / Math.sqrt(abT);
      double mean = Math.sqrt(abPrev) * beta / (1 - abT) * x0
          + Math.sqrt(1 - beta) * (1 - abPrev) / (1 - abT) * x;
      double std = Math.sqrt((1 - abPrev) / (1 - abT) * beta);
      assertThat(out.toDoubleArray()[0]).isCloseTo(mean + std * z, within(1e-12));
    }
  }

  @Test
  void ancestralRunWithAnOracleNetworkEndsAtX0AndPassesThroughNoisyStates() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x0 = m.create(new double[] {0.5, -0.25, 0.75, -0.9}, new Shape(1, 1, 4));
      NDArray eps = m.create(new double[] {1.0, -0.3, 0.2, -1.1}, new Shape(1, 1, 4));
      NDArray xStart = new ai.diffad.model.ForwardProcess(LINEAR).addNoise(x0, eps, 200);
      OracleNetwork oracle = new OracleNetwork(LINEAR, PredictionType.EPSILON, x0);

      ReverseProcess.Result r = new ReverseProcess(ddpm(VarianceType.FIXED_SMALL))
          .run(oracle, 20, 200, xStart, null, 3);

      assertThat(oracle.calls).hasSize(20).startsWith(200);
      assertThat(r.x0().toDoubleArray()).containsExactly(x0.toDoubleArray(), within(1e-9));
    }
  }
}
