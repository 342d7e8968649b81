package ai.diffad.model;

import ai.diffad.config.PredictionType;
import ai.diffad.model.schedule.NoiseSchedule;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.Objects;

/**
 * The forward (noising) process q(x_t | x_0) of a schedule. Pure: the caller supplies the noise,
 * so the same call always gives the same result (diffusers' {@code add_noise}).
 *
 * <p>Results are new arrays in {@code x0}'s manager with {@code x0}'s dtype.
 */
public final class ForwardProcess {
  private final NoiseSchedule schedule;

  /** @param schedule the noise schedule */
  public ForwardProcess(NoiseSchedule schedule) {
    this.schedule = Objects.requireNonNull(schedule, "schedule");
  }

  /** The schedule this process noises with. */
  public NoiseSchedule schedule() {
    return schedule;
  }

  /**
   * Samples x_t from q(x_t | x_0) for one timestep shared by the batch:
   * {@code x_t = sqrt(alphaBar_t) x_0 + sqrt(1 - alphaBar_t) noise} (Ho et al. 2020, eq. 4). Note
   * the square root on alphaBar: DJL's Stable Diffusion example multiplies by alphaBar itself.
   *
   * @param x0 clean batch
   * @param noise standard noise of the same shape
   * @param t timestep in 0..T-1
   * @return x_t
   */
  public NDArray addNoise(NDArray x0, NDArray noise, int t) {
    double ab = schedule.alphaBar(checkT(t));
    return Tensors.lin(Math.sqrt(ab), x0, Math.sqrt(1.0 - ab), noise);
  }

  /**
   * {@link #addNoise(NDArray, NDArray, int)} with one timestep per sample, for training.
   *
   * @param x0 clean batch, shape (N, ...)
   * @param noise standard noise of the same shape
   * @param t N timesteps in 0..T-1
   * @return x_t
   */
  public NDArray addNoise(NDArray x0, NDArray noise, int[] t) {
    double[] a = new double[t.length];
    double[] b = new double[t.length];
    for (int i = 0; i < t.length; i++) {
      double ab = schedule.alphaBar(checkT(t[i]));
      a[i] = Math.sqrt(ab);
      b[i] = Math.sqrt(1.0 - ab);
    }
    return Tensors.linPerSample(a, x0, b, noise);
  }

  /**
   * {@link #addNoise(NDArray, NDArray, int[])} with the timesteps as an array of shape (N), any
   * numeric dtype holding whole numbers.
   */
  public NDArray addNoise(NDArray x0, NDArray noise, NDArray t) {
    return addNoise(x0, noise, toInts(t));
  }

  /**
   * The velocity target {@code v = sqrt(alphaBar_t) noise - sqrt(1 - alphaBar_t) x_0} (Salimans &
   * Ho 2022, sec. 4).
   *
   * @param x0 clean batch
   * @param noise the noise used to build x_t
   * @param t timestep in 0..T-1
   * @return v
   */
  public NDArray velocity(NDArray x0, NDArray noise, int t) {
    double ab = schedule.alphaBar(checkT(t));
    return Tensors.lin(-Math.sqrt(1.0 - ab), x0, Math.sqrt(ab), noise);
  }

  /** {@link #velocity(NDArray, NDArray, int)} with one timestep per sample. */
  public NDArray velocity(NDArray x0, NDArray noise, int[] t) {
    double[] a = new double[t.length];
    double[] b = new double[t.length];
    for (int i = 0; i < t.length; i++) {
      double ab = schedule.alphaBar(checkT(t[i]));
      a[i] = -Math.sqrt(1.0 - ab);
      b[i] = Math.sqrt(ab);
    }
    return Tensors.linPerSample(a, x0, b, noise);
  }

  /**
   * The regression target of a network predicting {@code type}: the noise, v, or x_0. Always a
   * new array the caller owns.
   *
   * @param type what the network predicts
   * @param x0 clean batch, shape (N, ...)
   * @param noise the noise used to build x_t
   * @param t N timesteps
   * @return the target
   */
  public NDArray target(PredictionType type, NDArray x0, NDArray noise, int[] t) {
    switch (type) {
      case EPSILON:
        return noise.duplicate();
      case SAMPLE:
        return x0.duplicate();
      case V:
        return velocity(x0, noise, t);
      default:
        throw new IllegalArgumentException("unsupported prediction type " + type);
    }
  }

  private int checkT(int t) {
    if (t < 0 || t >= schedule.timesteps()) {
      throw new IllegalArgumentException(
          "timestep must be in [0, " + (schedule.timesteps() - 1) + "], got " + t);
    }
    return t;
  }

  static int[] toInts(NDArray t) {
    if (t.getShape().dimension() != 1) {
      throw new IllegalArgumentException("timesteps must have shape (N), got " + t.getShape());
    }
    if (t.getDataType() == DataType.INT32) {
      return t.toIntArray();
    }
    double[] d;
    try (NDArray asDouble = t.toType(DataType.FLOAT64, true)) {
      d = asDouble.toDoubleArray();
    }
    int[] out = new int[d.length];
    for (int i = 0; i < d.length; i++) {
      out[i] = (int) Math.rint(d[i]);
      if (out[i] != d[i]) {
        throw new IllegalArgumentException("timesteps must be whole numbers, got " + d[i]);
      }
    }
    return out;
  }
}
