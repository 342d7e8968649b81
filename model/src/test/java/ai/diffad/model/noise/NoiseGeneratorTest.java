package ai.diffad.model.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.diffad.config.NoiseConfig;
import ai.diffad.config.NoiseKind;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class NoiseGeneratorTest {
  private static final Shape IMAGES = new Shape(4, 2, 64, 64);

  static Stream<NoiseGenerator> generators() {
    return Stream.of(
        NoiseGenerator.of(NoiseConfig.gaussian()),
        NoiseGenerator.of(new NoiseConfig(NoiseKind.SIMPLEX, null, null, null)),
        NoiseGenerator.of(new NoiseConfig(NoiseKind.SIMPLEX, 3, 0.5, 8.0)));
  }

  @ParameterizedTest
  @MethodSource("generators")
  void sameSeedGivesSameNoiseAndOtherSeedsDiffer(NoiseGenerator g) {
    float[] a = g.generate(IMAGES, 7);
    float[] b = g.generate(IMAGES, 7);
    float[] c = g.generate(IMAGES, 8);

    assertThat(a).containsExactly(b);
    assertThat(maxAbsDiff(a, c)).isGreaterThan(0.5);
  }

  @ParameterizedTest
  @MethodSource("generators")
  void eachSampleHasZeroMeanAndUnitVariance(NoiseGenerator g) {
    float[] v = g.generate(IMAGES, 3);
    int chunk = v.length / 4;
    for (int s = 0; s < 4; s++) {
      double mean = 0;
      double sq = 0;
      for (int i = s * chunk; i < (s + 1) * chunk; i++) {
        mean += v[i];
        sq += (double) v[i] * v[i];
      }
      mean /= chunk;
      double var = sq / chunk - mean * mean;
      assertThat(mean).as("mean of sample %d", s).isCloseTo(0.0, within(0.05));
      assertThat(var).as("variance of sample %d", s).isCloseTo(1.0, within(0.05));
    }
  }

  @Test
  void simplexNoiseIsSpatiallyCorrelatedAndGaussianIsNot() {
    float[] simplex =
        NoiseGenerator.of(new NoiseConfig(NoiseKind.SIMPLEX, null, null, null)).generate(IMAGES, 1);
    float[] gauss = new GaussianNoise().generate(IMAGES, 1);

    assertThat(lag1Correlation(simplex, 64)).isGreaterThan(0.3);
    assertThat(Math.abs(lag1Correlation(gauss, 64))).isLessThan(0.05);
  }

  @Test
  void simplexNoiseOfSeriesIsCorrelatedAlongTheSeries() {
    Shape series = new Shape(8, 3, 256);
    float[] v = new SimplexNoise(4, 0.7, 16).generate(series, 5);

    assertThat(lag1Correlation(v, 256)).isGreaterThan(0.3);
  }

  @Test
  void channelsOfOneSampleGetDifferentSimplexFields() {
    float[] v = new SimplexNoise(6, 0.8, 64).generate(new Shape(1, 2, 32, 32), 11);

    assertThat(maxAbsDiff(
            java.util.Arrays.copyOfRange(v, 0, 1024), java.util.Arrays.copyOfRange(v, 1024, 2048)))
        .isGreaterThan(0.5);
  }

  @Test
  void sampleCreatesOneFloat32ArrayWithTheGeneratedValues() {
    NoiseGenerator g = new GaussianNoise();
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray a = g.sample(m, new Shape(2, 3, 5), 9);

      assertThat(a.getShape()).isEqualTo(new Shape(2, 3, 5));
      assertThat(a.getDataType()).isEqualTo(DataType.FLOAT32);
      assertThat(a.toFloatArray()).containsExactly(g.generate(new Shape(2, 3, 5), 9));
    }
  }

  /** Correlation between horizontally adjacent values within rows of length {@code row}. */
  private static double lag1Correlation(float[] v, int row) {
    double sx = 0;
    double sy = 0;
    double sxx = 0;
    double syy = 0;
    double sxy = 0;
    int n = 0;
    for (int i = 0; i + 1 < v.length; i++) {
      if ((i + 1) % row == 0) {
        continue;
      }
      double x = v[i];
      double y = v[i + 1];
      sx += x;
      sy += y;
      sxx += x * x;
      syy += y * y;
      sxy += x * y;
      n++;
    }
    double cov = sxy / n - sx / n * sy / n;
    return cov / Math.sqrt((sxx / n - sx / n * sx / n) * (syy / n - sy / n * sy / n));
  }

  private static double maxAbsDiff(float[] a, float[] b) {
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }
}
