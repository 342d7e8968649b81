package ai.diffad.model.noise;

import ai.diffad.config.NoiseConfig;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Objects;

/**
 * A seeded source of noise that can stand in for standard Gaussian noise in {@code addNoise} and
 * in sampler steps: zero mean, unit variance. The same seed and shape give the same values on
 * every machine, because values are generated in Java, not by the engine's random generator.
 */
public interface NoiseGenerator {

  /**
   * Generates noise into a flat Java array in row-major order of {@code shape}.
   *
   * @param shape (N, C, H, W) images, (N, C, L) series, (N, L) or (L)
   * @param seed determines every value
   * @return {@code shape.size()} values
   */
  float[] generate(Shape shape, long seed);

  /**
   * Generates noise as one float32 array owned by {@code manager} (one copy into native memory).
   *
   * @param manager owner of the result
   * @param shape (N, C, H, W) images, (N, C, L) series, (N, L) or (L)
   * @param seed determines every value
   * @return float32 noise of the given shape
   */
  default NDArray sample(NDManager manager, Shape shape, long seed) {
    return manager.create(generate(shape, seed), shape);
  }

  /**
   * The generator a configuration asks for.
   *
   * @param config Gaussian, or simplex with octaves / persistence / frequency
   * @return a stateless, thread-safe generator
   */
  static NoiseGenerator of(NoiseConfig config) {
    Objects.requireNonNull(config, "config");
    switch (config.kind()) {
      case GAUSSIAN:
        return new GaussianNoise();
      case SIMPLEX:
        return new SimplexNoise(config.octaves(), config.persistence(), config.frequency());
      default:
        throw new IllegalArgumentException("unsupported noise kind " + config.kind());
    }
  }

  /** Number of elements of a shape as an int, refusing shapes a Java array cannot hold. */
  static int checkedSize(Shape shape) {
    long size = shape.size();
    if (size < 0 || size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("noise shape too large for one array: " + shape);
    }
    return (int) size;
  }
}
