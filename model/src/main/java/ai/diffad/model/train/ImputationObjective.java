package ai.diffad.model.train;

import ai.diffad.config.DiffadConfig;
import ai.diffad.config.ImputationConfig;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.artifact.ModelManifest;
import ai.diffad.model.artifact.NetworkFactory;
import ai.diffad.model.artifact.NetworkSpec;
import ai.diffad.model.impute.Imputation;
import ai.diffad.model.noise.NoiseGenerator;
import ai.diffad.model.schedule.NoiseSchedule;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * ImDiffusion's imputation objective for series windows: per step a batch of random windows (from
 * (seed, step), like {@link DiffusionObjective}), t uniform in [tMin, tMax), one mask per window
 * from {@code imputation} ({@link Imputation#trainingMask}), x_t = sqrt(abar) x0 + sqrt(1 - abar)
 * eps; the denoiser sees {@link Imputation#input}(x_t, x0, mask) and the loss is the mean squared
 * error of its output against the prediction target over the <em>hidden</em> values only: the
 * visible ones are given, so there is nothing to learn about them. Trains one network, {@value
 * ModelManifest#DENOISER}, into {@value ModelArtifact#WEIGHTS}, with 2C + 1 input channels (3C
 * with a mask per channel: sensor masks or context channels) and C output channels.
 */
public final class ImputationObjective implements TrainingObjective {
  private static final long MASK_SALT = 0x6A09E667F3BCC909L;

  private final DiffadConfig config;
  private final ImputationConfig imputation;
  private final TrainingSet data;
  private final Map<String, NetworkSpec> networks;
  private BatchSampler crops;
  private double[] alphaBar;
  private NoiseGenerator noise;
  private float[] packed;
  private int maskChannels;

  /**
   * @param config a series profile with an {@code imputation} section
   * @param data the training series
   * @throws IllegalArgumentException if the profile has no imputation section, or an item cannot
   *     be cut into a window
   */
  public ImputationObjective(DiffadConfig config, TrainingSet data) {
    this.config = Objects.requireNonNull(config, "config");
    this.data = Objects.requireNonNull(data, "data");
    if (config.imputation() == null) {
      throw new IllegalArgumentException("profile " + config.name() + " has no imputation section");
    }
    this.imputation = config.imputation();
    BatchSampler.validate(config, data);
    this.networks = Map.of(ModelManifest.DENOISER,
        NetworkSpec.denoiser(ModelArtifact.WEIGHTS, config));
  }

  @Override
  public Map<String, NetworkSpec> networks() {
    return networks;
  }

  @Override
  public void start() {
    alphaBar = NoiseSchedule.of(config.schedule()).alphaBars();
    crops = new BatchSampler(config, data, alphaBar);
    noise = NoiseGenerator.of(config.training().noise());
    int b = config.training().batchSize();
    int d = config.data().channels() * config.data().size();
    maskChannels = config.maskChannels();
    packed = new float[3 * b * d + b * maskChannels * config.data().size() + b];
  }

  @Override
  public NDArray loss(Trainer.StepContext step) {
    if (packed == null) {
      start();
    }
    int b = config.training().batchSize();
    int c = config.data().channels();
    int l = config.data().size();
    int d = c * l;
    sample(step.seed(), step.step(), b, c, l);
    NDArray all = step.manager().create(packed);
    Shape xs = new Shape(b, c, l);
    NDArray xt = all.get(new NDIndex("0:{}", b * d)).reshape(xs);
    NDArray x0 = all.get(new NDIndex("{}:{}", b * d, 2 * b * d)).reshape(xs);
    NDArray target = all.get(new NDIndex("{}:{}", 2 * b * d, 3 * b * d)).reshape(xs);
    int mOff = 3 * b * d;
    int ml = maskChannels * l;
    NDArray mask = all.get(new NDIndex("{}:{}", mOff, mOff + b * ml))
        .reshape(new Shape(b, maskChannels, l));
    NDArray t = all.get(new NDIndex("{}:", mOff + b * ml));
    NDArray prediction = step.forward(ModelManifest.DENOISER,
        NetworkFactory.inputs(Imputation.input(xt, x0, mask), t, null)).singletonOrThrow();
    NDArray sq = prediction.sub(target).square().mul(mask);
    // Mean over the hidden values (every window hides at least one row or one sensor); a single
    // row mask hides all c channels of each row it holds, a per-channel one says which it hides.
    return sq.sum().div(maskChannels == 1 ? mask.sum().mul(c) : mask.sum());
  }

  /** Fills {@code packed}: [x_t | x0 | target | mask (B*M*L) | t (B)] of a 1-based step. */
  private void sample(long seed, int stepNo, int b, int c, int l) {
    SplittableRandom rng = new SplittableRandom(BatchSampler.mix(seed, stepNo));
    SplittableRandom maskRng = new SplittableRandom(BatchSampler.mix(seed ^ MASK_SALT, stepNo));
    int d = c * l;
    int x0Off = b * d;
    int targetOff = 2 * b * d;
    int mOff = 3 * b * d;
    int ml = maskChannels * l;
    int tOff = mOff + b * ml;
    int tMin = config.training().tMin();
    int tMax = config.training().tMaxFor(config.schedule().timesteps());
    int[] ts = new int[b];
    for (int i = 0; i < b; i++) {
      crops.crop(rng.nextInt(data.size()), rng, packed, x0Off + i * d);
      ts[i] = rng.nextInt(tMin, tMax);
      packed[tOff + i] = ts[i];
      Imputation.trainingMask(imputation, maskChannels, config.data().valueChannels(), l, maskRng,
          packed, mOff + i * ml);
    }
    float[] eps = noise.generate(new Shape(b, c, l), rng.nextLong());
    for (int i = 0; i < b; i++) {
      double ab = alphaBar[ts[i]];
      float sa = (float) Math.sqrt(ab);
      float sn = (float) Math.sqrt(1 - ab);
      for (int k = i * d; k < (i + 1) * d; k++) {
        float x = packed[x0Off + k];
        float e = eps[k];
        packed[k] = sa * x + sn * e;
        packed[targetOff + k] = switch (config.prediction()) {
          case EPSILON -> e;
          case V -> sa * e - sn * x;
          case SAMPLE -> x;
        };
      }
    }
  }
}
