package ai.diffad.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.diffad.config.DiffadConfig;
import ai.diffad.config.NoiseConfig;
import ai.diffad.config.NoiseKind;
import ai.diffad.config.PredictionType;
import ai.diffad.model.schedule.NoiseSchedule;
import ai.diffad.model.testutils.Stripes;
import org.junit.jupiter.api.Test;

class BatchSamplerTest {
  private final Stripes data = new Stripes(5, 20, 9);

  private float[] sample(PredictionType prediction, int step) {
    DiffadConfig config = TrainerFixtures.config(prediction, 10, 0, 1, 1000, 1e-3);
    BatchSampler sampler = new BatchSampler(config, data, NoiseSchedule.of(config.schedule()).alphaBars());
    float[] out = new float[sampler.packedLength()];
    sampler.sample(config.training().seed(), step, out);
    return out;
  }

  @Test
  void theSameStepDrawsTheSameBatchAndAnotherStepAnother() {
    assertThat(sample(PredictionType.EPSILON, 3)).isEqualTo(sample(PredictionType.EPSILON, 3));
    assertThat(sample(PredictionType.EPSILON, 4)).isNotEqualTo(sample(PredictionType.EPSILON, 3));
  }

  @Test
  void noisyInputAndTargetsFollowTheForwardProcess() {
    DiffadConfig config = TrainerFixtures.config(PredictionType.EPSILON, 10, 0, 1, 1000, 1e-3);
    double[] alphaBar = NoiseSchedule.of(config.schedule()).alphaBars();
    float[] eps = sample(PredictionType.EPSILON, 2);
    float[] x0 = sample(PredictionType.SAMPLE, 2);
    float[] v = sample(PredictionType.V, 2);
    int batch = 8;
    int d = 16 * 16;
    int targetOff = batch * d;
    for (int b = 0; b < batch; b++) {
      int t = (int) eps[2 * batch * d + b];
      assertThat(t).isBetween(0, 999);
      double sa = Math.sqrt(alphaBar[t]);
      double sn = Math.sqrt(1 - alphaBar[t]);
      for (int k = 0; k < d; k += 37) {
        int i = b * d + k;
        double e = eps[targetOff + i];
        double x = x0[targetOff + i];
        assertThat((double) eps[i]).isCloseTo(sa * x + sn * e, within(1e-5));
        assertThat((double) v[targetOff + i]).isCloseTo(sa * e - sn * x, within(1e-5));
        assertThat(x).isBetween(-1.0, 1.0);
      }
    }
  }

  @Test
  void simplexNoiseIsUsedWhenConfigured() {
    NoiseConfig simplex = new NoiseConfig(NoiseKind.SIMPLEX, 2, 0.5, 16.0);
    DiffadConfig config = TrainerFixtures.config(PredictionType.EPSILON, 10, 0, 1, 1000, 1e-3, simplex);
    BatchSampler sampler =
        new BatchSampler(config, data, NoiseSchedule.of(config.schedule()).alphaBars());
    float[] out = new float[sampler.packedLength()];
    sampler.sample(7, 1, out);
    float[] gauss = sample(PredictionType.EPSILON, 1);
    int off = 8 * 16 * 16;
    // Low-frequency simplex noise: neighbouring pixels are strongly correlated; i.i.d. Gaussian
    // noise is not.
    assertThat(neighbourCorrelation(out, off)).isGreaterThan(0.8);
    assertThat(Math.abs(neighbourCorrelation(gauss, off))).isLessThan(0.2);
  }

  private static double neighbourCorrelation(float[] packed, int off) {
    double sxy = 0;
    double sxx = 0;
    double syy = 0;
    for (int r = 0; r < 8 * 16; r++) {
      for (int x = 0; x < 15; x++) {
        double a = packed[off + r * 16 + x];
        double b = packed[off + r * 16 + x + 1];
        sxy += a * b;
        sxx += a * a;
        syy += b * b;
      }
    }
    return sxy / Math.sqrt(sxx * syy);
  }
}
