package ai.diffad.model.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.diffad.config.DetectorConfig;
import ai.diffad.model.train.TrainingSet;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AnomalySynthesizerTest {
  private static final int S = 32;

  private static DetectorConfig config(List<String> sources, double clean, double betaLo,
      double betaHi) {
    return new DetectorConfig(sources, sources.contains("texture") ? "textures" : null, clean,
        List.of(betaLo, betaHi), List.of(0, 4), 0.5, null, null, null, null, null, null);
  }

  /** A smooth gray crop with values well inside (-1, 1). */
  private static float[] crop(int channels, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] x = new float[channels * S * S];
    double phase = rng.nextDouble(6);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (0.3 * Math.sin(phase + 0.3 * (i % S)) + 0.1 * rng.nextGaussian() * 0.1);
    }
    return x;
  }

  private static TrainingSet textures(int channels) {
    return new TrainingSet() {
      @Override public int size() { return 2; }
      @Override public int channels() { return channels; }
      @Override public int height(int i) { return 40; }
      @Override public int width(int i) { return 48; }
      @Override public float[] item(int i) {
        float[] v = new float[channels * 40 * 48];
        for (int k = 0; k < v.length; k++) {
          v[k] = (k / 48 + k % 48 + i) % 5 == 0 ? 0.9f : -0.7f;
        }
        return v;
      }
      @Override public String description() { return "checks"; }
    };
  }

  @Test
  void blendIsExactOnAHandCase() {
    // x + beta * M * (A - x) with beta 0.25; M shared by both channels.
    float[] x = {0.2f, -0.4f, 0.6f, 1.0f, /* channel 2 */ 0f, 0.5f, -1f, 0.25f};
    float[] a = {1f, 1f, -1f, 0f, /* channel 2 */ -1f, -1f, 1f, 1f};
    float[] m = {1f, 0f, 1f, 0f};
    float[] out = new float[8 + 3];
    AnomalySynthesizer.blend(x, 0, a, m, 0.25, 2, 4, out, 3);
    assertThat(Arrays.copyOfRange(out, 3, 11))
        .containsExactly(new float[] {0.4f, -0.4f, 0.2f, 1.0f, -0.25f, 0.5f, -0.5f, 0.25f},
            within(1e-7f));
  }

  @Test
  void theSameSeedGivesTheSameSampleAndAnotherSeedAnother() {
    DetectorConfig cfg = config(DetectorConfig.SOURCES, 0.0, 0.1, 1.0);
    AnomalySynthesizer s1 = new AnomalySynthesizer(cfg, 1, S, textures(1));
    AnomalySynthesizer s2 = new AnomalySynthesizer(cfg, 1, S, textures(1));
    float[] x = crop(1, 3);
    for (long seed = 0; seed < 20; seed++) {
      float[] a1 = new float[S * S];
      float[] m1 = new float[S * S];
      float[] a2 = new float[S * S];
      float[] m2 = new float[S * S];
      AnomalySynthesizer.Sample r1 = s1.synthesize(x, 0, new SplittableRandom(seed), a1, 0, m1, 0);
      AnomalySynthesizer.Sample r2 = s2.synthesize(x, 0, new SplittableRandom(seed), a2, 0, m2, 0);
      assertThat(r2).isEqualTo(r1);
      assertThat(a2).containsExactly(a1);
      assertThat(m2).containsExactly(m1);
      float[] a3 = new float[S * S];
      float[] m3 = new float[S * S];
      s1.synthesize(x, 0, new SplittableRandom(seed + 1000), a3, 0, m3, 0);
      assertThat(Arrays.equals(a3, a1) && Arrays.equals(m3, m1)).isFalse();
    }
  }

  @Test
  void everySourceChangesOnlyItsMaskAndTheMaskIsWhatTheSampleClaims() {
    Map<AnomalySynthesizer.Source, Integer> seen = new EnumMap<>(AnomalySynthesizer.Source.class);
    for (int channels : new int[] {1, 3}) {
      AnomalySynthesizer s = new AnomalySynthesizer(config(DetectorConfig.SOURCES, 0.0, 1.0, 1.0),
          channels, S, textures(channels));
      SplittableRandom rng = new SplittableRandom(11);
      for (int k = 0; k < 400; k++) {
        float[] x = crop(channels, k);
        float[] xa = new float[channels * S * S];
        float[] m = new float[S * S];
        AnomalySynthesizer.Sample r = s.synthesize(x, 0, rng, xa, 0, m, 0);
        int on = 0;
        double changedInside = 0;
        for (int p = 0; p < S * S; p++) {
          assertThat(m[p]).isIn(0f, 1f);
          on += m[p] > 0 ? 1 : 0;
          for (int c = 0; c < channels; c++) {
            int i = c * S * S + p;
            if (m[p] == 0f) {
              assertThat(xa[i]).as("pixel %d outside the mask of %s", p, r).isEqualTo(x[i]);
            } else {
              changedInside += Math.abs(xa[i] - x[i]);
            }
            assertThat(xa[i]).isBetween(-1f, 1f);
          }
        }
        assertThat(on).isEqualTo(r.maskPixels());
        if (r.clean()) {
          assertThat(on).isZero();
        } else {
          seen.merge(r.source(), 1, Integer::sum);
          assertThat(on).as("mask of %s", r).isPositive();
          assertThat(changedInside / (on * channels)).as("mean change inside the mask of %s", r)
              .isGreaterThan(0.05);
        }
      }
    }
    assertThat(seen).containsOnlyKeys(AnomalySynthesizer.Source.values());
    seen.values().forEach(n -> assertThat(n).isGreaterThan(100));
  }

  @Test
  void thePerlinMaskIsWhereItsFieldExceedsTheThreshold() {
    for (long seed = 0; seed < 30; seed++) {
      float[] field = AnomalySynthesizer.perlinField(S, 0, 3, new SplittableRandom(seed));
      float[] mask = new float[S * S];
      int n = AnomalySynthesizer.perlinMask(S, 0, 3, 0.3, new SplittableRandom(seed), mask);
      int expected = 0;
      for (int p = 0; p < S * S; p++) {
        assertThat(mask[p]).isEqualTo(field[p] > 0.3 ? 1f : 0f);
        expected += field[p] > 0.3 ? 1 : 0;
      }
      assertThat(n).isEqualTo(expected);
    }
  }

  @Test
  void theCleanShareAndTheBetaRangeAreHonoured() {
    AnomalySynthesizer s = new AnomalySynthesizer(config(List.of("strokes"), 0.3, 0.2, 0.4), 1, S,
        null);
    SplittableRandom rng = new SplittableRandom(5);
    float[] x = crop(1, 1);
    int clean = 0;
    int n = 2000;
    for (int k = 0; k < n; k++) {
      AnomalySynthesizer.Sample r = s.synthesize(x, 0, rng, new float[S * S], 0, new float[S * S], 0);
      if (r.clean()) {
        clean++;
      } else {
        assertThat(r.beta()).isBetween(0.2, 0.4);
      }
    }
    // 2000 draws of p = 0.3: the share is within 0.3 +- 4 standard deviations (0.041).
    assertThat(clean / (double) n).isCloseTo(0.3, within(0.041));
  }

  @Test
  void texturesThatDoNotSuitTheCropsAreRefusedBeforeTraining() {
    DetectorConfig cfg = config(DetectorConfig.SOURCES, 0.5, 0.1, 1.0);
    assertThatThrownBy(() -> new AnomalySynthesizer(cfg, 1, S, null))
        .hasMessageContaining("texture folder");
    assertThatThrownBy(() -> new AnomalySynthesizer(cfg, 3, S, textures(1)))
        .hasMessageContaining("1 channels");
    assertThatThrownBy(() -> new AnomalySynthesizer(cfg, 1, 64, textures(1)))
        .hasMessageContaining("smaller than the 64x64 crops");
  }
}
