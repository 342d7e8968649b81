package ai.diffad.config;

import java.util.List;

/**
 * A diffad model profile: what the model is, how it is trained and on what data. Shipped profiles
 * live in {@code config/profiles/}.
 *
 * @param name model name, recorded in the artifact and in every score record
 * @param schedule forward-process schedule
 * @param prediction what the network predicts (epsilon, v, sample)
 * @param network network architecture
 * @param training optimisation settings
 * @param data input specification and augmentation
 * @param detector the learned detector (synthetic anomalies and a segmentation head), or null
 *     for a plain diffusion model
 * @param engine the engine settings a model of this profile is scored with when the user gives
 *     none ({@code --engine}, a stream's {@code engine:}); their own options still override single
 *     fields. Null: {@link EngineConfig#defaults()}. Profiles ship the settings measured best for
 *     them (BENCHMARKS.md).
 * @param imputation train the series network as an imputer of masked rows (ImDiffusion) and
 *     score with {@code map: imputation}, or null for a plain diffusion model
 */
public record DiffadConfig(
    String name,
    ScheduleConfig schedule,
    PredictionType prediction,
    NetworkConfig network,
    TrainingConfig training,
    DataConfig data,
    DetectorConfig detector,
    EngineConfig engine,
    ImputationConfig imputation) {

  /** A profile without an imputation section. */
  public DiffadConfig(String name, ScheduleConfig schedule, PredictionType prediction,
      NetworkConfig network, TrainingConfig training, DataConfig data, DetectorConfig detector,
      EngineConfig engine) {
    this(name, schedule, prediction, network, training, data, detector, engine, null);
  }

  /** A plain diffusion profile (no detector, the default engine). */
  public DiffadConfig(String name, ScheduleConfig schedule, PredictionType prediction,
      NetworkConfig network, TrainingConfig training, DataConfig data) {
    this(name, schedule, prediction, network, training, data, null, null);
  }

  /** A profile with a detector (or none) and the default engine. */
  public DiffadConfig(String name, ScheduleConfig schedule, PredictionType prediction,
      NetworkConfig network, TrainingConfig training, DataConfig data, DetectorConfig detector) {
    this(name, schedule, prediction, network, training, data, detector, null);
  }

  /** The engine settings models of this profile are scored with by default. */
  public EngineConfig engineDefaults() {
    if (engine != null) {
      return engine;
    }
    return imputation != null
        ? EngineConfig.defaults().toBuilder().map(MapConfig.of(MapKind.IMPUTATION)).build()
        : EngineConfig.defaults();
  }

  /** Validates the sections together and fills defaults. */
  public DiffadConfig {
    name = name == null ? "diffad" : name;
    if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new ConfigException(
          "name", "must be 1-64 characters of letters, digits, '.', '_' or '-', got '" + name + "'");
    }
    schedule = schedule == null ? new ScheduleConfig(null, null, null, null) : schedule;
    prediction = prediction == null ? PredictionType.EPSILON : prediction;
    network = network == null ? new NetworkConfig(null, null, null, null, null, null, null, null) : network;
    training = training == null ? new TrainingConfig(
        null, null, null, null, null, null, null, null, null, null, null, null, null, null, null)
        : training;
    data = data == null ? new DataConfig(null, null, null, null, null, null, null, null) : data;
    if (training.tMin() >= schedule.timesteps()) {
      throw new ConfigException(
          "training.tMin", "must be < schedule.timesteps (" + schedule.timesteps() + "), got "
              + training.tMin());
    }
    if (data.size() % network.sizeMultiple() != 0) {
      throw new ConfigException(
          "data.size",
          "must be a multiple of " + network.sizeMultiple() + " (2^(levels-1) for "
              + network.levels() + " levels), got " + data.size());
    }
    boolean sensor = data.format().isSeries();
    if (sensor != (network.kind() == NetworkKind.UNET1D)) {
      throw new ConfigException(
          "network.kind",
          "must be unet1d for data.format sensor or nab and unet2d for images, got "
              + network.kind().spelling() + " with data.format " + data.format().spelling());
    }
    if (engine != null) {
      engine.checkFor(schedule.timesteps(), "engine.reconstruction.tStar");
      if (sensor && !(engine.map() instanceof MapConfig.PixelError)
          && !(engine.map() instanceof MapConfig.Imputation)) {
        throw new ConfigException("engine.map", engine.map().kind().spelling()
            + " is available for image models only");
      }
      if ((imputation != null) != (engine.map() instanceof MapConfig.Imputation)) {
        throw new ConfigException("engine.map", imputation != null
            ? "a model with an imputation section is scored with map imputation, got "
                + engine.map().kind().spelling()
            : "imputation needs an imputation section (a network trained to impute masked rows)");
      }
      if (detector == null && engine.map().uses(MapKind.SEGMENTATION)) {
        throw new ConfigException("engine.map", "segmentation needs a detector section");
      }
    }
    if (imputation != null) {
      if (!sensor) {
        throw new ConfigException("imputation", "is available for series profiles only"
            + " (data.format sensor or nab)");
      }
      if (network.numClasses() > 0) {
        throw new ConfigException("imputation", "needs an unconditional network"
            + " (network.numClasses 0)");
      }
      try {
        imputation.checkFor(data.valueChannels(), data.size());
      } catch (ConfigException e) {
        throw e.under("imputation");
      }
    }
    if (detector != null) {
      if (sensor) {
        throw new ConfigException("detector", "is available for image profiles only");
      }
      if (network.numClasses() > 0) {
        throw new ConfigException("detector", "needs an unconditional network (network.numClasses 0)");
      }
      if (prediction != PredictionType.EPSILON) {
        throw new ConfigException("detector", "trains an epsilon-predicting network; set prediction: epsilon");
      }
      if (detector.tRange().get(1) > schedule.timesteps()) {
        throw new ConfigException("detector.tRange", "must end at most at schedule.timesteps ("
            + schedule.timesteps() + "), got " + detector.tRange());
      }
      if (data.size() % detector.segmentation().sizeMultiple() != 0) {
        throw new ConfigException("detector.segmentation", "needs data.size to be a multiple of "
            + detector.segmentation().sizeMultiple() + ", got " + data.size());
      }
    }
  }

  /** This profile with another training seed. */
  public DiffadConfig withTrainingSeed(long seed) {
    return new DiffadConfig(name, schedule, prediction, network, training.withSeed(seed), data,
        detector, engine, imputation);
  }

  /** This profile with other detector anomaly sources (and texture folder). */
  public DiffadConfig withDetectorSources(List<String> sources, String textures) {
    if (detector == null) {
      throw new ConfigException("detector", "the profile has no detector section");
    }
    DetectorConfig d;
    try {
      d = detector.withSources(sources, textures);
    } catch (ConfigException e) {
      throw e.under("detector");
    }
    return new DiffadConfig(name, schedule, prediction, network, training, data, d, engine, imputation);
  }

  /**
   * The input channels of the denoiser: C, or for an imputer the noised rows, the clean rows and
   * the mask: 2C + {@link #maskChannels()}.
   */
  public int denoiserInChannels() {
    int c = data.channels();
    return imputation != null ? 2 * c + maskChannels() : c;
  }

  /**
   * Channels of an imputer's mask: C (a mask per channel) when some channels are hidden apart
   * from others, that is with {@code sensor} training masks (one sensor hidden at a time) or with
   * context channels (never hidden, data.context); else 1 (one mask per row, for every channel).
   * 0 without an imputation section.
   */
  public int maskChannels() {
    if (imputation == null) {
      return 0;
    }
    boolean perChannel = imputation.masks().contains(MaskKind.SENSOR)
        || data.context() != SeriesContext.NONE;
    return perChannel ? data.channels() : 1;
  }

  /** This profile with another training batch size. */
  public DiffadConfig withTrainingBatch(int batchSize) {
    return new DiffadConfig(name, schedule, prediction, network, training.withBatchSize(batchSize),
        data, detector, engine, imputation);
  }

  /** This profile with a different number of training steps. */
  public DiffadConfig withTrainingSteps(int steps) {
    return new DiffadConfig(name, schedule, prediction, network, training.withSteps(steps), data,
        detector, engine, imputation);
  }
}
