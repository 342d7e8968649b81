package ai.diffad.model.train;

import ai.diffad.config.DiffadConfig;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.artifact.ModelManifest;
import ai.diffad.model.artifact.NetworkFactory;
import ai.diffad.model.artifact.NetworkSpec;
import ai.diffad.model.noise.NoiseGenerator;
import ai.diffad.model.schedule.NoiseSchedule;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import java.util.Objects;

/**
 * The DDPM objective: per step a batch drawn by {@link BatchSampler} from (seed, step) — random
 * items, random crops to {@code data.size}, random flips and 90-degree rotations when configured, t
 * uniform in [tMin, tMax), noise from {@code training.noise} (Gaussian or simplex), label dropout
 * for class-conditional networks — then x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps and the mean
 * squared error of the denoiser's output against the configured prediction target (eps, v or x0).
 * Trains one network, {@value ModelManifest#DENOISER}, into {@value ModelArtifact#WEIGHTS}.
 */
public final class DiffusionObjective implements TrainingObjective {
  private final DiffadConfig config;
  private final TrainingSet data;
  private final Map<String, NetworkSpec> networks;
  private BatchSampler sampler;
  private float[] packed;

  /**
   * @param config the profile (network, schedule, prediction, data, training)
   * @param data the training items
   * @throws IllegalArgumentException if an item cannot be cropped to the network input, or the
   *     channels differ
   */
  public DiffusionObjective(DiffadConfig config, TrainingSet data) {
    this.config = Objects.requireNonNull(config, "config");
    this.data = Objects.requireNonNull(data, "data");
    if (config.imputation() != null) {
      throw new IllegalArgumentException("profile " + config.name() + " has an imputation"
          + " section: train it with ImputationObjective (the Trainer's default for such a profile)");
    }
    BatchSampler.validate(config, data);
    NoiseGenerator.of(config.training().noise());
    this.networks = Map.of(ModelManifest.DENOISER, denoiser(config));
  }

  /** The manifest entry of a profile's denoiser: {@value ModelArtifact#WEIGHTS}, x and t in. */
  static NetworkSpec denoiser(DiffadConfig config) {
    return NetworkSpec.denoiser(ModelArtifact.WEIGHTS, config);
  }

  @Override
  public Map<String, NetworkSpec> networks() {
    return networks;
  }

  @Override
  public void start() {
    sampler = new BatchSampler(config, data, NoiseSchedule.of(config.schedule()).alphaBars());
    packed = new float[sampler.packedLength()];
  }

  @Override
  public NDArray loss(Trainer.StepContext step) {
    if (sampler == null) {
      start();
    }
    int bd = sampler.batch() * sampler.elementSize();
    int batch = sampler.batch();
    Shape xShape = new Shape(sampler.xShape());
    sampler.sample(step.seed(), step.step(), packed);
    NDArray all = step.manager().create(packed);
    NDArray x = all.get(new NDIndex("0:{}", bd)).reshape(xShape);
    NDArray target = all.get(new NDIndex("{}:{}", bd, 2 * bd)).reshape(xShape);
    NDArray t = all.get(new NDIndex("{}:{}", 2 * bd, 2 * bd + batch));
    NDArray labels = config.network().numClasses() > 0
        ? all.get(new NDIndex("{}:", 2 * bd + batch)).toType(DataType.INT32, false)
        : null;
    NDArray prediction = step.forward(ModelManifest.DENOISER, NetworkFactory.inputs(x, t, labels))
        .singletonOrThrow();
    return prediction.sub(target).square().mean();
  }
}
