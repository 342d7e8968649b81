package ai.diffad.model.schedule;

import ai.diffad.config.ScheduleConfig;
import ai.diffad.config.ScheduleKind;
import java.util.Arrays;
import java.util.Objects;

/**
 * The forward-process variance schedule beta_0..beta_{T-1} and the quantities derived from it,
 * computed once in double precision. Immutable; the array getters return copies.
 *
 * <p>Conventions follow diffusers ({@code DDPMScheduler(beta_schedule=...)}), in double instead
 * of float32 precision:
 *
 * <ul>
 *   <li>linear: {@code beta = linspace(betaStart, betaEnd, T)} (Ho et al. 2020, sec. 4);
 *   <li>scaled-linear: {@code beta = linspace(sqrt(betaStart), sqrt(betaEnd), T)^2} (latent
 *       diffusion);
 *   <li>cosine: {@code beta_t = min(1 - f((t+1)/T) / f(t/T), 0.999)} with {@code f(u) = cos((u +
 *       0.008) / 1.008 * pi/2)^2} (Nichol & Dhariwal 2021, eq. 17; diffusers {@code
 *       squaredcos_cap_v2}); the beta range of the config is ignored;
 *   <li>sigmoid: {@code beta = sigmoid(linspace(-6, 6, T)) * (betaEnd - betaStart) + betaStart}.
 * </ul>
 *
 * <p>t runs 0..T-1; {@code alphaBar[t] = prod_{s<=t} (1 - beta_s)} (Ho et al. 2020, eq. 4).
 * Samplers use t = -1 for "the clean sample x0", whose alpha-bar is 1 (diffusers'
 * {@code set_alpha_to_one}).
 */
public final class NoiseSchedule {
  /** Upper cap of cosine betas, as in Nichol & Dhariwal 2021 and diffusers. */
  public static final double MAX_COSINE_BETA = 0.999;

  /** Half the 8-bit range: sigmaEquiv expresses noise in 0..255 grey levels of a [-1, 1] image. */
  private static final double HALF_RANGE_255 = 127.5;

  private final ScheduleConfig config;
  private final double[] betas;
  private final double[] alphas;
  private final double[] alphaBars;

  private NoiseSchedule(ScheduleConfig config, double[] betas) {
    this.config = config;
    this.betas = betas;
    this.alphas = new double[betas.length];
    this.alphaBars = new double[betas.length];
    double prod = 1.0;
    for (int t = 0; t < betas.length; t++) {
      alphas[t] = 1.0 - betas[t];
      prod *= alphas[t];
      alphaBars[t] = prod;
    }
  }

  /**
   * Builds the schedule a configuration describes.
   *
   * @param config kind, T and beta range (already validated by the record)
   * @return the schedule
   */
  public static NoiseSchedule of(ScheduleConfig config) {
    Objects.requireNonNull(config, "config");
    int n = config.timesteps();
    double start = config.betaStart();
    double end = config.betaEnd();
    double[] betas;
    ScheduleKind kind = config.kind();
    switch (kind) {
      case LINEAR:
        betas = linspace(start, end, n);
        break;
      case SCALED_LINEAR:
        betas = linspace(Math.sqrt(start), Math.sqrt(end), n);
        for (int i = 0; i < n; i++) {
          betas[i] = betas[i] * betas[i];
        }
        break;
      case COSINE:
        betas = new double[n];
        for (int i = 0; i < n; i++) {
          double ratio = cosineAlphaBar((i + 1) / (double) n) / cosineAlphaBar(i / (double) n);
          betas[i] = Math.min(1.0 - ratio, MAX_COSINE_BETA);
        }
        break;
      case SIGMOID:
        betas = linspace(-6.0, 6.0, n);
        for (int i = 0; i < n; i++) {
          betas[i] = 1.0 / (1.0 + Math.exp(-betas[i])) * (end - start) + start;
        }
        break;
      default:
        throw new IllegalArgumentException("unsupported schedule kind " + kind);
    }
    return new NoiseSchedule(config, betas);
  }

  /** f(u) of the cosine schedule (Nichol & Dhariwal 2021, eq. 17, without the f(0) division). */
  private static double cosineAlphaBar(double u) {
    double c = Math.cos((u + 0.008) / 1.008 * Math.PI / 2.0);
    return c * c;
  }

  /** numpy.linspace: {@code i * step + start}, last element exactly {@code stop}. */
  static double[] linspace(double start, double stop, int num) {
    double[] out = new double[num];
    if (num == 1) {
      out[0] = start;
      return out;
    }
    double step = (stop - start) / (num - 1);
    for (int i = 0; i < num; i++) {
      out[i] = i * step + start;
    }
    out[num - 1] = stop;
    return out;
  }

  /** The configuration this schedule was built from. */
  public ScheduleConfig config() {
    return config;
  }

  /** T, the number of training timesteps; t runs 0..T-1. */
  public int timesteps() {
    return betas.length;
  }

  /** A copy of beta_0..beta_{T-1}. */
  public double[] betas() {
    return betas.clone();
  }

  /** A copy of alpha_t = 1 - beta_t. */
  public double[] alphas() {
    return alphas.clone();
  }

  /** A copy of alphaBar_t = prod_{s<=t} alpha_s. */
  public double[] alphaBars() {
    return alphaBars.clone();
  }

  /** beta_t for t in 0..T-1. */
  public double beta(int t) {
    checkT(t);
    return betas[t];
  }

  /**
   * alphaBar_t for t in 0..T-1, and 1 for t = -1 (the clean sample; diffusers'
   * {@code final_alpha_cumprod} with {@code set_alpha_to_one=True}).
   */
  public double alphaBar(int t) {
    if (t == -1) {
      return 1.0;
    }
    checkT(t);
    return alphaBars[t];
  }

  /**
   * The standard deviation, in grey levels of an 8-bit image mapped to [-1, 1], of Gaussian noise
   * whose signal-to-noise ratio matches x_t after rescaling by 1/sqrt(alphaBar_t):
   * {@code 127.5 * sqrt((1 - alphaBar_t) / alphaBar_t)}. Used to pick the start step t* that
   * matches a known noise level.
   */
  public double sigmaEquiv(int t) {
    checkT(t);
    double ab = alphaBars[t];
    return HALF_RANGE_255 * Math.sqrt((1.0 - ab) / ab);
  }

  /**
   * The timestep whose {@link #sigmaEquiv} is closest to {@code sigma0to255}; ties go to the
   * smaller t. sigmaEquiv grows with t, so sigmas beyond either end map to 0 or T-1.
   *
   * @param sigma0to255 noise standard deviation in 0..255 grey levels, >= 0
   */
  public int timestepForSigma(double sigma0to255) {
    if (!(sigma0to255 >= 0) || !Double.isFinite(sigma0to255)) {
      throw new IllegalArgumentException("sigma must be finite and >= 0, got " + sigma0to255);
    }
    int best = 0;
    double bestDist = Double.POSITIVE_INFINITY;
    for (int t = 0; t < betas.length; t++) {
      double d = Math.abs(sigmaEquiv(t) - sigma0to255);
      if (d < bestDist) {
        bestDist = d;
        best = t;
      }
    }
    return best;
  }

  private void checkT(int t) {
    if (t < 0 || t >= betas.length) {
      throw new IllegalArgumentException(
          "timestep must be in [0, " + (betas.length - 1) + "], got " + t);
    }
  }

  @Override
  public String toString() {
    return "NoiseSchedule" + config + " beta[0]=" + betas[0]
        + " beta[T-1]=" + betas[betas.length - 1] + " alphaBar[T-1]="
        + alphaBars[alphaBars.length - 1];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NoiseSchedule && Arrays.equals(betas, ((NoiseSchedule) o).betas);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(betas);
  }
}
