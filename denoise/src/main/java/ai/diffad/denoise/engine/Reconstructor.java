package ai.diffad.denoise.engine;

import ai.diffad.config.DiffadConfig;
import ai.diffad.config.EngineConfig;
import ai.diffad.config.PredictionType;
import ai.diffad.model.ForwardProcess;
import ai.diffad.model.NetworkFn;
import ai.diffad.model.Predictions;
import ai.diffad.model.Tensors;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.noise.NoiseGenerator;
import ai.diffad.model.sampler.ReverseProcess;
import ai.diffad.model.sampler.Sampler;
import ai.diffad.model.sampler.SamplerOptions;
import ai.diffad.model.sampler.Samplers;
import ai.diffad.model.sampler.TimestepPlan;
import ai.diffad.model.schedule.NoiseSchedule;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Partial noising and reconstruction of same-shaped network inputs (image tiles or series
 * windows): x_{t*} = sqrt(abar) x + sqrt(1 - abar) n, then the configured sampler from t* to x_0,
 * optionally guided toward the input (DDAD) and averaged over several noise seeds.
 *
 * <p><b>Reproducibility.</b> Every random value depends only on (base seed, tile key): seed index s
 * uses base seed {@code engine.seed + s}, and the noise of a tile (to t* and at every stochastic
 * step) is generated per tile from that base seed mixed with the tile's key. So a reconstruction
 * does not depend on which other tiles share its network batch, and {@code seeds = 2} is exactly
 * the mean of single-seed runs with {@code seed} and {@code seed + 1}.
 *
 * <p><b>Memory.</b> Inputs go to the network {@code engine.batchSize} at a time, packed into one
 * array (one copy in) whose result is copied out once; every array of a batch lives in a
 * sub-manager of the model's manager that is closed when the batch ends. Only Java arrays leave
 * this class. The model is borrowed, not owned, and nothing else native is held between calls,
 * so there is nothing to close. Not thread-safe only in the sense that {@link LoadedModel} is not:
 * use one model (and one reconstructor) per thread.
 */
public final class Reconstructor {
  /** Salt separating the noise that reaches t* from the step noise of the same tile. */
  private static final long START_NOISE_SALT = 0x5DEECE66DL;

  private final LoadedModel model;
  private final EngineConfig config;
  private final NoiseSchedule schedule;
  private final Predictions predictions;
  private final ForwardProcess forward;
  private final Sampler sampler;
  private final NoiseGenerator noise;
  private final int channels;
  private final int numClasses;

  /**
   * @param model the loaded model (borrowed; the caller closes it)
   * @param config t*, noise, sampler, steps, eta, guidance w, seeds, seed, batch size
   * @throws IllegalArgumentException if t* is not below the model's T
   */
  public Reconstructor(LoadedModel model, EngineConfig config) {
    this.model = Objects.requireNonNull(model, "model");
    this.config = Objects.requireNonNull(config, "config");
    DiffadConfig trained = model.manifest().config();
    this.schedule = NoiseSchedule.of(trained.schedule());
    // Entry points check this with a message in their own terms (--t-star, engine...tStar);
    // this is the same check for programmatic callers.
    config.checkFor(schedule.timesteps(), "reconstruction.tStar");
    PredictionType type = trained.prediction();
    this.predictions = new Predictions(schedule, type);
    this.forward = new ForwardProcess(schedule);
    // Images live in [-1, 1], so clipping x0 estimates is right; normalised series may exceed it.
    boolean clip = !trained.data().format().isSeries();
    SamplerOptions options = SamplerOptions.builder().optEta(config.eta()).optClip(clip).build();
    this.sampler = Samplers.create(config.sampler(), schedule, type, options);
    this.noise = NoiseGenerator.of(config.noise());
    this.channels = trained.data().channels();
    this.numClasses = trained.network().numClasses();
  }

  /**
   * Reconstructions and the network time they took.
   *
   * @param tiles one reconstruction per input, same layout as the inputs
   * @param modelMs wall-clock milliseconds spent in network batches (noising, sampling, copies)
   */
  public record Result(float[][] tiles, double modelMs) {}

  /**
   * Supplies the standard noise that takes input {@code tile} to t* in the run with base seed
   * {@code baseSeed} ({@code engine.seed + s} for seed index s). The engine uses it to draw one
   * noise field per image and cut it like the image, so overlapping tiles see the same x_{t*} where
   * they overlap and their reconstructions agree there.
   */
  @FunctionalInterface
  public interface StartNoise {
    /**
     * @param tile index into the inputs of the call
     * @param baseSeed the run's base seed
     * @return standard noise shaped like the input
     */
    float[] forTile(int tile, long baseSeed);
  }

  /** The engine configuration. */
  public EngineConfig config() {
    return config;
  }

  /** The schedule of the model. */
  public NoiseSchedule schedule() {
    return schedule;
  }

  /**
   * Reconstructs inputs with the configured sampler and number of steps from t*.
   *
   * @param tiles inputs, each (C, spatial...) in [-1, 1]
   * @param keys one key per input (see {@link #tileKey}); equal keys get equal noise
   * @param spatial the spatial shape of every input: {H, W} for images, {L} for series
   * @return the reconstructions (mean over {@code engine.seeds} runs)
   */
  public Result reconstruct(float[][] tiles, long[] keys, long... spatial) {
    return run(tiles, keys, null, spatial, config.steps());
  }

  /**
   * {@link #reconstruct(float[][], long[], long...)} with the noise to t* supplied by the caller
   * (step noise of stochastic samplers stays keyed per tile).
   */
  public Result reconstruct(float[][] tiles, long[] keys, StartNoise startNoise, long... spatial) {
    return run(tiles, keys, startNoise, spatial, config.steps());
  }

  /**
   * The one-step estimate of x_0 from x_{t*}: one network call per input and seed, whatever
   * {@code engine.steps} says (DiffusionAD's one-step denoising; ten times faster than ten steps
   * and as good in the reference runs, ANCHORS.md). Guidance, when configured, also acts here:
   * the guided noise estimate pulls the one-step x_0 toward the input.
   */
  public Result reconstructOneStep(float[][] tiles, long[] keys, long... spatial) {
    return run(tiles, keys, null, spatial, 1);
  }

  /** {@link #reconstructOneStep(float[][], long[], long...)} with caller-supplied start noise. */
  public Result reconstructOneStep(float[][] tiles, long[] keys, StartNoise startNoise,
      long... spatial) {
    return run(tiles, keys, startNoise, spatial, 1);
  }

  /**
   * Conditions the network on each batch (an imputer's clean rows and mask): given the network,
   * the batch's inputs and where they are among the call's inputs, the network the reverse
   * process calls for that batch.
   */
  @FunctionalInterface
  public interface Conditioning {
    /**
     * @param base the model's network
     * @param inputs the batch's inputs (N, C, spatial...), in the batch's manager
     * @param start index of the batch's first input among the call's
     * @return the network for this batch; arrays it creates belong to {@code inputs}' manager
     */
    NetworkFn condition(NetworkFn base, NDArray inputs, int start);
  }

  /**
   * Reconstructions with a conditioned network and, for {@code ensemble} > 1, the mean of the
   * predicted x_0 of the last {@code ensemble} steps of the reverse process instead of its final
   * sample (ImDiffusion's ensemble over steps). Start noise is keyed per input, as in
   * {@link #reconstruct(float[][], long[], long...)}.
   *
   * @throws IllegalArgumentException if ensemble is not in 1..steps
   */
  public Result reconstruct(float[][] tiles, long[] keys, Conditioning conditioning, int ensemble,
      long... spatial) {
    if (ensemble < 1 || ensemble > config.steps()) {
      throw new IllegalArgumentException("ensemble " + ensemble + " must be in 1.."
          + config.steps() + " (the engine's steps)");
    }
    return run(tiles, keys, null, spatial, config.steps(),
        Objects.requireNonNull(conditioning, "conditioning"), ensemble);
  }

  /**
   * A stable key for tile {@code index} of input {@code id} (String.hashCode is specified, so keys
   * agree across JVMs and machines).
   */
  public static long tileKey(String id, int index) {
    return mix(((long) Objects.requireNonNull(id, "id").hashCode() << 32) ^ index);
  }

  private Result run(float[][] tiles, long[] keys, StartNoise startNoise, long[] spatial,
      int steps) {
    return run(tiles, keys, startNoise, spatial, steps, null, 1);
  }

  private Result run(float[][] tiles, long[] keys, StartNoise startNoise, long[] spatial,
      int steps, Conditioning conditioning, int ensemble) {
    if (tiles.length != keys.length) {
      throw new IllegalArgumentException(tiles.length + " tiles but " + keys.length + " keys");
    }
    long per = channels;
    for (long s : spatial) {
      per *= s;
    }
    for (int i = 0; i < tiles.length; i++) {
      if (tiles[i].length != per) {
        throw new IllegalArgumentException("tile " + i + " has " + tiles[i].length
            + " values; the model takes " + channels + " channels of "
            + Arrays.toString(spatial));
      }
    }
    TimestepPlan plan = sampler.timesteps(steps, config.tStar());
    float[][] out = new float[tiles.length][];
    long nanos = 0;
    long positions = 1;
    for (long sp : spatial) {
      positions *= sp;
    }
    int batchSize = config.batchFor(positions);
    for (int start = 0; start < tiles.length; start += batchSize) {
      int b = Math.min(batchSize, tiles.length - start);
      long t0 = System.nanoTime();
      float[] flat = runBatch(tiles, keys, startNoise, start, b, spatial, plan, conditioning,
          ensemble);
      nanos += System.nanoTime() - t0;
      for (int i = 0; i < b; i++) {
        out[start + i] = new float[(int) per];
        System.arraycopy(flat, (int) (i * per), out[start + i], 0, (int) per);
      }
    }
    return new Result(out, nanos / 1e6);
  }

  private float[] runBatch(float[][] tiles, long[] keys, StartNoise startNoise, int start, int b,
      long[] spatial, TimestepPlan plan, Conditioning conditioning, int ensemble) {
    long[] dims = new long[spatial.length + 2];
    dims[0] = b;
    dims[1] = channels;
    System.arraycopy(spatial, 0, dims, 2, spatial.length);
    Shape shape = new Shape(dims);
    int per = tiles[start].length;
    float[] packed = new float[b * per];
    for (int i = 0; i < b; i++) {
      System.arraycopy(tiles[start + i], 0, packed, i * per, per);
    }
    long[] batchKeys = new long[b];
    System.arraycopy(keys, start, batchKeys, 0, b);
    try (NDManager batch = model.manager().newSubManager()) {
      NDArray y = batch.create(packed, shape);
      NDArray labels = numClasses > 0 ? batch.full(new Shape(b), numClasses) : null;
      NetworkFn net = conditioning != null
          ? conditioning.condition(model.networkFn(), y, start)
          : model.networkFn();
      if (config.guidance() > 0) {
        net = guided(net, y, config.guidance());
      }
      NDArray sum = null;
      for (int s = 0; s < config.seeds(); s++) {
        long base = config.seed() + s;
        try (NDManager run = batch.newSubManager()) {
          long[] tileSeeds = new long[b];
          for (int i = 0; i < b; i++) {
            tileSeeds[i] = mix(mix(base) ^ batchKeys[i]);
          }
          float[] start0 = startNoise == null
              ? perTile(noise, shape, tileSeeds, START_NOISE_SALT)
              : supplied(startNoise, start, b, per, base);
          NDArray n = run.create(start0, shape);
          NDArray xt = forward.addNoise(y, n, config.tStar());
          xt.attach(run);
          ReverseProcess reverse = new ReverseProcess(sampler, new PerTileNoise(noise, tileSeeds));
          NDArray[] steps = new NDArray[1];
          int firstKept = plan.size() - ensemble;
          ReverseProcess.StepObserver observer = ensemble == 1 ? null : (i, x0) -> {
            if (i >= firstKept) {
              if (steps[0] == null) {
                steps[0] = x0.duplicate();
                steps[0].attach(run);
              } else {
                steps[0].addi(x0);
              }
            }
          };
          ReverseProcess.Result r = reverse.run(net, plan, xt, labels, base, observer);
          NDArray result = r.x0();
          if (ensemble > 1) {
            result = steps[0].divi(ensemble);
          }
          if (sum == null) {
            sum = result;
            sum.attach(batch);
          } else {
            sum.addi(result);
          }
        }
      }
      if (config.seeds() > 1) {
        sum.divi(config.seeds());
      }
      return sum.toFloatArray();
    }
  }

  /**
   * DDAD's guidance toward the input y (Mousakhan et al. 2023, eq. 9-10): with the network's noise
   * estimate eps at (x_t, t), y_t = sqrt(abar_t) y + sqrt(1 - abar_t) eps and
   * eps_hat = eps - sqrt(1 - abar_t) w (y_t - x_t). Models predicting v or x_0 are converted to
   * eps and back through {@link Predictions}, so the sampler sees the model's own output type.
   */
  NetworkFn guided(NetworkFn base, NDArray y, double w) {
    return (x, t, labels) -> {
      NDArray out = base.apply(x, t, labels);
      int ti = Math.round(t.getFloat(0));
      double ab = schedule.alphaBar(ti);
      double a = Math.sqrt(ab);
      double bcoef = Math.sqrt(1.0 - ab);
      NDArray epsHat;
      try (NDArray eps = predictions.epsilon(out, x, ti);
          NDArray yt = Tensors.lin(bcoef, eps, a, y)) {
        yt.subi(x);
        epsHat = Tensors.lin(1.0, eps, -bcoef * w, yt);
      }
      if (predictions.type() == PredictionType.EPSILON) {
        out.close();
        return epsHat;
      }
      try (NDArray e = epsHat;
          NDArray x0 = Tensors.lin(1.0 / a, x, -bcoef / a, e)) {
        out.close();
        return predictions.modelOutput(x0, e, ti);
      }
    };
  }

  private static float[] supplied(StartNoise startNoise, int start, int b, int per, long base) {
    float[] out = new float[b * per];
    for (int i = 0; i < b; i++) {
      float[] t = startNoise.forTile(start + i, base);
      if (t.length != per) {
        throw new IllegalArgumentException("start noise of tile " + (start + i) + " has "
            + t.length + " values, expected " + per);
      }
      System.arraycopy(t, 0, out, i * per, per);
    }
    return out;
  }

  /** Per-tile noise for a batch: tile i gets {@code gen} at its own seed mixed with {@code salt}. */
  static float[] perTile(NoiseGenerator gen, Shape batchShape, long[] tileSeeds, long salt) {
    long[] one = batchShape.getShape().clone();
    one[0] = 1;
    Shape single = new Shape(one);
    int per = (int) single.size();
    float[] out = new float[per * tileSeeds.length];
    for (int i = 0; i < tileSeeds.length; i++) {
      System.arraycopy(gen.generate(single, mix(tileSeeds[i] ^ salt)), 0, out, i * per, per);
    }
    return out;
  }

  /**
   * Step noise that is per tile: the reverse process asks for a batch of noise with one seed per
   * step; each tile's part is generated from that seed mixed with the tile's own seed, so it does
   * not depend on the batch the tile was in.
   */
  private static final class PerTileNoise implements NoiseGenerator {
    private final NoiseGenerator base;
    private final long[] tileSeeds;

    PerTileNoise(NoiseGenerator base, long[] tileSeeds) {
      this.base = base;
      this.tileSeeds = tileSeeds;
    }

    @Override
    public float[] generate(Shape shape, long seed) {
      if (shape.get(0) != tileSeeds.length) {
        throw new IllegalStateException("noise for " + shape.get(0) + " samples, batch has "
            + tileSeeds.length);
      }
      return perTile(base, shape, tileSeeds, mix(seed));
    }
  }

  /** SplitMix64's finaliser: a bijective scramble, so nearby seeds give unrelated streams. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  @Override
  public String toString() {
    return "Reconstructor[t*=" + config.tStar() + ", " + config.sampler().spelling() + " x"
        + config.steps() + ", w=" + config.guidance() + ", seeds=" + config.seeds() + "]";
  }
}
