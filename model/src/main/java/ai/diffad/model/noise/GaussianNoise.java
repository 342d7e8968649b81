package ai.diffad.model.noise;

import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/** I.i.d. standard normal noise from {@link SplittableRandom#nextGaussian()}, seeded. */
public final class GaussianNoise implements NoiseGenerator {

  /** Creates the (stateless) generator. */
  public GaussianNoise() {}

  @Override
  public float[] generate(Shape shape, long seed) {
    float[] out = new float[NoiseGenerator.checkedSize(shape)];
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) random.nextGaussian();
    }
    return out;
  }

  @Override
  public String toString() {
    return "GaussianNoise";
  }
}
