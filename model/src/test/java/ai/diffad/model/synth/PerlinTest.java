package ai.diffad.model.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PerlinTest {
  @Test
  void gradientNoiseIsZeroOnTheLatticeAndPeriodicOverItsSquare() {
    Perlin p = new Perlin(64, 4, 8, new SplittableRandom(1));
    // Lattice points every 16 px in y and 8 px in x: gradient noise is exactly 0 there.
    for (int y = 0; y <= 64; y += 16) {
      for (int x = 0; x <= 64; x += 8) {
        assertThat(p.at(y, x)).as("(%d, %d)", y, x).isCloseTo(0.0, within(1e-12));
      }
    }
    // Between lattice points it is not (a constant field would pass the line above).
    assertThat(Math.abs(p.at(5, 3)) + Math.abs(p.at(21, 13)) + Math.abs(p.at(40, 30)))
        .isGreaterThan(0.05);
    for (double y = -7.3; y < 80; y += 9.1) {
      for (double x = -3.7; x < 80; x += 6.3) {
        assertThat(p.at(y + 64, x)).isCloseTo(p.at(y, x), within(1e-9));
        assertThat(p.at(y, x - 64)).isCloseTo(p.at(y, x), within(1e-9));
      }
    }
  }

  @Test
  void oneCellWithKnownGradientsGivesTheFadedDotProducts() {
    // res 1x1: the four corners share one gradient g; at (y, x) = (u, v) * size the noise is
    // sqrt(2) * lerp(lerp(n00, n10, f(u)), lerp(n01, n11, f(u)), f(v)), n = g . (offset to corner).
    SplittableRandom rng = new SplittableRandom(9);
    double a = 2 * Math.PI * new SplittableRandom(9).nextDouble();
    double gy = Math.cos(a);
    double gx = Math.sin(a);
    Perlin p = new Perlin(10, 1, 1, rng);
    double u = 0.3;
    double v = 0.6;
    double n00 = gy * u + gx * v;
    double n10 = gy * (u - 1) + gx * v;
    double n01 = gy * u + gx * (v - 1);
    double n11 = gy * (u - 1) + gx * (v - 1);
    double fu = 6 * Math.pow(u, 5) - 15 * Math.pow(u, 4) + 10 * Math.pow(u, 3);
    double fv = 6 * Math.pow(v, 5) - 15 * Math.pow(v, 4) + 10 * Math.pow(v, 3);
    double left = n00 + fu * (n10 - n00);
    double right = n01 + fu * (n11 - n01);
    assertThat(p.at(3, 6)).isCloseTo(Math.sqrt(2) * (left + fv * (right - left)), within(1e-12));
  }

  @Test
  void aRotatedFieldIsTheFieldAtRotatedCoordinates() {
    Perlin p = new Perlin(32, 2, 2, new SplittableRandom(4));
    float[] straight = p.render(32, 0);
    float[] quarter = p.render(32, Math.PI / 2);
    // A quarter turn about the centre maps (y, x) to (x', 31 - y') of the unrotated field.
    for (int y = 0; y < 32; y++) {
      for (int x = 0; x < 32; x++) {
        assertThat(quarter[y * 32 + x]).isCloseTo(straight[(31 - x) * 32 + y], within(1e-5f));
      }
    }
  }
}
