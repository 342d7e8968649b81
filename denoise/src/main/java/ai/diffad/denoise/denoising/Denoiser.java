package ai.diffad.denoise.denoising;

import ai.diffad.config.DenoiseMode;
import ai.diffad.config.DiffadConfig;
import ai.diffad.config.EngineConfig;
import ai.diffad.denoise.engine.TilePlan;
import ai.diffad.denoise.engine.Tiler;
import ai.diffad.model.NetworkFn;
import ai.diffad.model.Predictions;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.sampler.ReverseProcess;
import ai.diffad.model.sampler.Sampler;
import ai.diffad.model.sampler.SamplerOptions;
import ai.diffad.model.sampler.Samplers;
import ai.diffad.model.schedule.NoiseSchedule;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Removes additive Gaussian noise with a trained diffusion model (DESIGN.md, "Denoising").
 *
 * <p>A noisy image y = x + n, n ~ N(0, s^2) with s = sigma / 127.5 in [-1, 1] units, scaled by
 * a = sqrt(alphaBar_t) is a sample of the forward process at t, x_t = a x + sqrt(1 - alphaBar_t)
 * eps, exactly when sigma = 127.5 sqrt((1 - alphaBar_t) / alphaBar_t) (DiffPIR's mapping). So:
 *
 * <ol>
 *   <li>t = the step whose {@code sigmaEquiv} is closest to sigma
 *       ({@link NoiseSchedule#timestepForSigma});
 *   <li>x_t = sqrt(alphaBar_t) y;
 *   <li>{@link DenoiseMode#MMSE}: one network call and the predicted x_0 ({@link Predictions}):
 *       the minimum-mean-squared-error estimate the network has learned, best PSNR;
 *       {@link DenoiseMode#SAMPLE}: the reverse chain from t with the configured sampler and
 *       number of steps (capped at t + 1), a sample of the posterior: sharper texture, lower PSNR.
 * </ol>
 *
 * <p>The output is clipped to [-1, 1]. A sigma below the first step's noise level
 * ({@code sigmaEquiv(0)}, 1.275 for the linear schedule of T = 1000) is below what the schedule can
 * express: the input is returned unchanged and the result says so.
 *
 * <p>Images are cut into overlapping tiles ({@link Tiler}; side {@code engine.tileSize}, or the
 * model's training size when 0; overlap {@code engine.tileOverlap}) that go to the network in
 * batches of {@code engine.batchSize}, each batch in its own {@link NDManager}; the outputs are
 * blended back to the input's size. Step noise of the sample mode is drawn from
 * {@code engine.seed} and the batch index, so a run is reproducible for the same seed, image and
 * settings.
 *
 * <p>Options: mode (mmse | sample), and from {@link EngineConfig}: sampler, steps, eta, seed,
 * batchSize, tileSize, tileOverlap. Holds no per-run state; shares the model's thread rules (one
 * denoiser per thread per {@link LoadedModel}).
 */
public final class Denoiser {
  private final LoadedModel model;
  private final DenoiseMode mode;
  private final EngineConfig engine;
  private final NoiseSchedule schedule;
  private final Predictions predictions;
  private final Tiler tiler;
  private final int channels;
  private final int numClasses;
  private final int tMin;
  private final int tMax;

  private Denoiser(LoadedModel model, DenoiseMode mode, EngineConfig engine) {
    this.model = model;
    this.mode = mode;
    this.engine = engine;
    DiffadConfig config = model.manifest().config();
    this.schedule = NoiseSchedule.of(config.schedule());
    this.predictions = new Predictions(schedule, config.prediction());
    int tile = engine.tileSize() == 0 ? config.data().size() : engine.tileSize();
    this.tiler = Tiler.of(tile, engine.tileOverlap(), config.network().sizeMultiple());
    this.channels = config.data().channels();
    this.numClasses = config.network().numClasses();
    this.tMin = config.training().tMin();
    this.tMax = config.training().tMaxFor(schedule.timesteps());
  }

  /** A builder; {@link Builder#setModel} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The denoising mode. */
  public DenoiseMode mode() {
    return mode;
  }

  /** The model's noise schedule. */
  public NoiseSchedule schedule() {
    return schedule;
  }

  /**
   * Denoises an image whose noise level the caller knows.
   *
   * @param image planar (C, H, W) in [-1, 1] (noise may reach past the range), C = the model's
   *     channels; not modified
   * @param channels C
   * @param height H >= 1
   * @param width W >= 1
   * @param sigma noise standard deviation, 0-255 scale, finite and >= 0
   * @return the denoised image
   */
  public DenoiseResult denoise(float[] image, int channels, int height, int width, double sigma) {
    return run(image, channels, height, width, sigma, false);
  }

  /**
   * Denoises an image at the noise level {@link NoiseEstimator} finds in it.
   *
   * @param image planar (C, H, W) in [-1, 1]; not modified
   * @param channels C
   * @param height H >= 3
   * @param width W >= 3
   * @return the denoised image, with the estimated sigma
   */
  public DenoiseResult denoiseAuto(float[] image, int channels, int height, int width) {
    checkImage(image, channels, height, width);
    double sigma = NoiseEstimator.estimate(image, channels, height, width);
    return run(image, channels, height, width, sigma, true);
  }

  private DenoiseResult run(
      float[] image, int c, int h, int w, double sigma, boolean estimated) {
    checkImage(image, c, h, w);
    if (!(sigma >= 0) || !Double.isFinite(sigma)) {
      throw new IllegalArgumentException("sigma must be finite and >= 0, got " + sigma);
    }
    double smallest = schedule.sigmaEquiv(0);
    if (sigma < smallest) {
      return new DenoiseResult(image.clone(), c, h, w, sigma, estimated, -1, 0.0, true,
          String.format("sigma %.3f is below the noise level of the first step (%.3f):"
              + " returned unchanged", sigma, smallest));
    }
    int t = schedule.timestepForSigma(sigma);
    String note = t < tMin || t >= tMax
        ? String.format("t=%d (sigma %.2f) is outside the trained range [%d, %d); the network has"
            + " not learned this noise level", t, sigma, tMin, tMax)
        : "";
    TilePlan plan = tiler.plan(h, w);
    float[][] tiles = plan.extractAll(image, c);
    float[][] outputs = new float[tiles.length][];
    int batchSize = engine.batchFor((long) plan.tileSpatialShape()[0] * plan.tileSpatialShape()[1]);
    SplittableRandom seeds = new SplittableRandom(engine.seed());
    for (int start = 0; start < tiles.length; start += batchSize) {
      int n = Math.min(batchSize, tiles.length - start);
      denoiseBatch(tiles, outputs, start, n, plan, t, seeds.nextLong());
    }
    float[] out = plan.stitch(outputs, c);
    for (int i = 0; i < out.length; i++) {
      out[i] = Math.max(-1f, Math.min(1f, out[i]));
    }
    return new DenoiseResult(out, c, h, w, sigma, estimated, t, schedule.sigmaEquiv(t), false,
        note);
  }

  /** Runs tiles [start, start + n) as one network batch and stores their outputs. */
  private void denoiseBatch(
      float[][] tiles, float[][] outputs, int start, int n, TilePlan plan, int t, long seed) {
    int th = plan.tileHeight();
    int tw = plan.tileWidth();
    int per = channels * th * tw;
    float[] flat = new float[n * per];
    for (int i = 0; i < n; i++) {
      System.arraycopy(tiles[start + i], 0, flat, i * per, per);
    }
    NetworkFn net = model.networkFn();
    try (NDManager m = model.manager().newSubManager()) {
      NDArray y = m.create(flat, new Shape(n, channels, th, tw));
      NDArray xt = y.mul((float) Math.sqrt(schedule.alphaBar(t)));
      NDArray labels = numClasses > 0 ? m.full(new Shape(n), numClasses) : null;
      NDArray x0;
      if (mode == DenoiseMode.MMSE) {
        NDArray output = net.apply(xt, m.full(new Shape(n), (float) t), labels);
        x0 = predictions.x0(output, xt, t);
      } else {
        Sampler sampler = Samplers.create(engine.sampler(), schedule,
            predictions.type(), SamplerOptions.builder().optEta(engine.eta()).build());
        int steps = Math.min(engine.steps(), t + 1);
        x0 = new ReverseProcess(sampler).run(net, steps, t, xt, labels, seed).x0();
      }
      float[] result = x0.clip(-1f, 1f).toFloatArray();
      for (int i = 0; i < n; i++) {
        float[] tile = new float[per];
        System.arraycopy(result, i * per, tile, 0, per);
        outputs[start + i] = tile;
      }
    }
  }

  private void checkImage(float[] image, int c, int h, int w) {
    Objects.requireNonNull(image, "image");
    if (c != channels) {
      throw new IllegalArgumentException(
          "the model takes " + channels + "-channel images, got " + c + " channels");
    }
    if (h < 1 || w < 1 || image.length != (long) c * h * w) {
      throw new IllegalArgumentException("image has " + image.length + " values, expected "
          + c + "x" + h + "x" + w);
    }
  }

  @Override
  public String toString() {
    return "Denoiser[" + mode.spelling() + ", " + (mode == DenoiseMode.SAMPLE
        ? engine.sampler().spelling() + " " + engine.steps() + " steps, " : "") + tiler + "]";
  }

  /**
   * Builder of {@link Denoiser}: {@code setModel} required; {@code optMode} (default mmse) and
   * {@code optEngine} (default {@link EngineConfig#defaults()}) optional.
   */
  public static final class Builder {
    private LoadedModel model;
    private DenoiseMode mode = DenoiseMode.MMSE;
    private EngineConfig engine = EngineConfig.defaults();

    private Builder() {}

    /** The trained model (required); not closed by the denoiser. */
    public Builder setModel(LoadedModel model) {
      this.model = model;
      return this;
    }

    /** mmse (default) or sample. */
    public Builder optMode(DenoiseMode mode) {
      this.mode = mode;
      return this;
    }

    /** Sampler, steps, eta, seed, batch size and tiling (default: all defaults). */
    public Builder optEngine(EngineConfig engine) {
      this.engine = engine;
      return this;
    }

    /**
     * The validated denoiser.
     *
     * @throws IllegalArgumentException if a required setting is missing or the tiling does not fit
     *     the network
     */
    public Denoiser build() {
      if (model == null) {
        throw new IllegalArgumentException("model must be set (setModel)");
      }
      if (mode == null) {
        throw new IllegalArgumentException("mode must not be null");
      }
      if (engine == null) {
        throw new IllegalArgumentException("engine must not be null");
      }
      if (model.manifest().isSeries()) {
        throw new IllegalArgumentException("model " + model.manifest().name()
            + " is a sensor (NCL) model; the denoiser takes images");
      }
      return new Denoiser(model, mode, engine);
    }
  }
}
