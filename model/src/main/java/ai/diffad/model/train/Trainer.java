package ai.diffad.model.train;

import static ai.diffad.model.util.FileTrees.deleteTree;

import ai.diffad.config.DiffadConfig;
import ai.diffad.config.TrainingConfig;
import ai.diffad.model.artifact.ArtifactException;
import ai.diffad.model.artifact.BlockWeights;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.artifact.ModelManifest;
import ai.diffad.model.artifact.NetworkFactory;
import ai.diffad.model.artifact.NetworkSpec;
import ai.diffad.model.noise.NoiseGenerator;
import ai.diffad.model.schedule.NoiseSchedule;
import ai.diffad.model.util.ProgressBars;
import ai.diffad.model.util.ProgressReporter;
import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The training loop: batches, AdamW, learning-rate schedule, gradient clipping, EMA, checkpoints,
 * exact resume, progress and {@code loss.csv}, for any {@link TrainingObjective}. The objective
 * names the networks it trains and computes one step's loss; the loop owns everything else. The
 * default objective is {@link DiffusionObjective} (DDPM: MSE on the configured prediction target).
 *
 * <p>Per step: the objective's loss (its randomness drawn from (seed, step) alone), one
 * forward/backward pass, global gradient-norm clipping over all trained networks, an AdamW update
 * (linear warm-up, cosine decay) and an update of the exponential moving average (EMA) of the
 * weights with decay {@code min(emaDecay, (1 + step) / (10 + step))}.
 *
 * <p>Outputs in the output directory: {@code loss.csv} ({@code step,loss,lr,seconds}; loss is the
 * mean over the steps since the previous row), {@code checkpoints/step-NNNNNN/} every
 * {@code checkpointEvery} steps and at the end, and at the end the model artifact of the EMA
 * weights of every network ({@code model.json} and one weight file per network; see
 * {@link ModelArtifact}).
 *
 * <p>Resume ({@link Builder#optResume}) restores weights, EMA, AdamW moments and the step from the
 * newest checkpoint; since batches depend only on (seed, step), the continued run computes exactly
 * the steps an uninterrupted run would. Networks with dropout reseed the engine's generator per
 * step for the same reason (a process-wide setting: train one model per JVM at a time).
 *
 * <p>Threads are not set here: the launcher sets {@code ai.djl.pytorch.num_threads}.
 *
 * <pre>{@code
 * TrainingResult r = Trainer.builder()
 *     .setConfig(config).setData(trainingSet).setOutputDir(Path.of("models/bottle"))
 *     .optResume(true)
 *     .build()
 *     .run();
 * }</pre>
 */
public final class Trainer {
  /** Loss-curve file name. */
  public static final String LOSS_CSV = "loss.csv";
  static final String LOSS_HEADER = "step,loss,lr,seconds";
  /** Steps in a row with a non-finite gradient before training stops. */
  static final int MAX_SKIPPED_IN_A_ROW = 10;

  private final DiffadConfig config;
  private final TrainingSet data;
  private final TrainingObjective objective;
  private final Path out;
  private final NetworkFactory factory;
  private final TrainingListener listener;
  private final boolean progressBar;
  private final boolean resume;
  private final Device device;
  /** The manager of the current run, for leak checks in tests; null outside a run. */
  private volatile NDManager runManager;

  private Trainer(Builder b) {
    this.config = b.config;
    this.data = b.data;
    this.objective = b.objective;
    this.out = b.out;
    this.factory = b.factory;
    this.listener = b.listener;
    this.progressBar = b.progressBar;
    this.resume = b.resume;
    this.device = b.device;
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** The configuration being trained. */
  public DiffadConfig config() {
    return config;
  }

  /**
   * Trains to {@code training.steps}, writes the final checkpoint and the model artifact into the
   * output directory.
   */
  public TrainingResult run() {
    return train(config.training().steps(), true);
  }

  /**
   * Trains up to and including {@code lastStep}, then stops as an interrupted run would: only the
   * periodic checkpoints exist, no artifact is written. For staged training and resume tests.
   *
   * @param lastStep the last step to take, in 1..training.steps
   */
  public TrainingResult runUntil(int lastStep) {
    if (lastStep < 1 || lastStep > config.training().steps()) {
      throw new IllegalArgumentException(
          "lastStep must be in 1.." + config.training().steps() + ", got " + lastStep);
    }
    return train(lastStep, lastStep == config.training().steps());
  }

  /** Number of live arrays of the running trainer (for leak tests); -1 outside a run. */
  int liveArrays() {
    NDManager m = runManager;
    return m == null ? -1 : m.getManagedArrays().size();
  }

  private TrainingResult train(int lastStep, boolean finish) {
    TrainingConfig tc = config.training();
    try (NDManager manager = NDManager.newBaseManager(device)) {
      runManager = manager;
      Files.createDirectories(out);
      Engine engine = Engine.getInstance();
      engine.setRandomSeed((int) BatchSampler.mix(tc.seed(), 0));
      Map<String, NetworkSpec> specs = objective.networks();
      Map<String, Block> nets = new LinkedHashMap<>();
      Map<String, Block> emas = new LinkedHashMap<>();
      for (Map.Entry<String, NetworkSpec> e : specs.entrySet()) {
        Shape[] shapes = NetworkFactory.inputShapes(config, e.getValue());
        Block net = factory.create(e.getValue());
        net.initialize(manager, DataType.FLOAT32, shapes);
        Block ema = factory.create(e.getValue());
        ema.initialize(manager, DataType.FLOAT32, shapes);
        nets.put(e.getKey(), net);
        emas.put(e.getKey(), ema);
      }
      List<Pair<String, Parameter>> params = new ArrayList<>();
      for (Block net : nets.values()) {
        params.addAll(trainable(net));
      }
      List<Parameter> emaParams = parameters(emas);
      List<Parameter> allParams = parameters(nets);
      AdamW adam = new AdamW(manager, params);

      int start = 0;
      double elapsedBefore = 0;
      Optional<Path> checkpoint = Checkpoints.newest(out);
      if (checkpoint.isPresent() && !resume) {
        throw new IllegalStateException(
            out + " already holds checkpoints (newest " + checkpoint.get().getFileName()
                + "): resume from them or choose an empty output directory");
      }
      if (checkpoint.isPresent()) {
        Checkpoints.State state = restore(checkpoint.get(), manager, nets, emas, adam);
        start = state.step();
        elapsedBefore = state.elapsedSeconds();
        // The moving average must not be re-read from its old arrays: take them again.
        emaParams = parameters(emas);
        allParams = parameters(nets);
      } else {
        copyWeights(allParams, emaParams);
      }
      if (start >= lastStep) {
        return new TrainingResult(start + 1, start, Double.NaN, 0, finishRun(finish, nets, emas, adam, start, elapsedBefore, false));
      }

      boolean dropout = false;
      for (NetworkSpec spec : specs.values()) {
        dropout |= spec.network().dropout() > 0;
      }
      ParameterStore store = new ParameterStore(manager, false);
      objective.start();

      long t0 = System.nanoTime();
      int skipped = 0;
      int skippedInARow = 0;
      double lastLoss = Double.NaN;
      double smooth = 0;
      int smoothCount = 0;
      double windowSum = 0;
      int windowCount = 0;
      try (BufferedWriter csv = openLossCsv(start);
          ProgressReporter bar = progressBar ? newBar(start, elapsedBefore) : null;
          Stopper stopper = new Stopper(objective)) {
        for (int step = start + 1; step <= lastStep; step++) {
          double lr = LearningRate.at(tc, step);
          double loss;
          double norm;
          try (NDScope scope = new NDScope(); NDManager sub = manager.newSubManager()) {
            scope.suppressNotUsedWarning();
            if (dropout) {
              engine.setRandomSeed((int) BatchSampler.mix(tc.seed() + 1, step));
            }
            StepContext ctx = new StepContext(step, tc.seed(), sub, nets, store);
            try (GradientCollector collector = engine.newGradientCollector()) {
              NDArray lossArray = objective.loss(ctx);
              collector.backward(lossArray);
              loss = lossArray.getFloat();
            }
            if (!Double.isFinite(loss)) {
              throw new IllegalStateException(
                  "the loss is " + loss + " at step " + step + " (learning rate " + lr
                      + "): lower training.learningRate or raise training.warmupSteps");
            }
            norm = adam.gradNorm();
            if (!Double.isFinite(norm)) {
              // A finite loss with a non-finite gradient (an overflow in one backward pass):
              // updating would make every weight NaN. Skip the update, as mixed-precision
              // scalers do, and stop only if it keeps happening.
              skipped++;
              adam.zeroGradients();
              if (++skippedInARow > MAX_SKIPPED_IN_A_ROW) {
                throw new IllegalStateException("the gradient was not finite in "
                    + skippedInARow + " steps in a row up to step " + step + " (learning rate "
                    + lr + "): lower training.learningRate");
              }
              System.err.printf(Locale.ROOT, "diffad train: step %d: gradient norm %s, update"
                  + " skipped (%d so far)%n", step, norm, skipped);
            } else {
              skippedInARow = 0;
              double clip = tc.gradClip() > 0 && norm > tc.gradClip() ? tc.gradClip() / norm : 1.0;
              adam.step(step, lr, tc.weightDecay(), clip);
              updateEma(allParams, emaParams,
                  Math.min(tc.emaDecay(), (1.0 + step) / (10.0 + step)));
            }
          }
          lastLoss = loss;
          smooth = 0.98 * smooth + 0.02 * loss;
          smoothCount++;
          double smoothed = smooth / (1 - Math.pow(0.98, smoothCount));
          double elapsed = elapsedBefore + (System.nanoTime() - t0) / 1e9;
          windowSum += loss;
          windowCount++;
          if (step % tc.logEvery() == 0 || step == lastStep) {
            csv.write(String.format(Locale.ROOT, "%d,%s,%.6e,%.3f%n",
                step, Double.toString(windowSum / windowCount), lr, elapsed));
            csv.flush();
            windowSum = 0;
            windowCount = 0;
          }
          if (bar != null) {
            bar.setExtraMessage(String.format(Locale.ROOT, "loss %.4f lr %.2e", smoothed, lr));
            bar.stepTo(step);
          }
          if (listener != null) {
            listener.onStep(new StepReport(step, tc.steps(), loss, smoothed, lr, norm, elapsed));
          }
          boolean periodic = tc.checkpointEvery() > 0 && step % tc.checkpointEvery() == 0;
          if (periodic && !(finish && step == lastStep)) {
            writeCheckpoint(step, elapsed, nets, emas, adam);
          }
        }
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      Path artifact = finishRun(finish, nets, emas, adam, lastStep, elapsedBefore + seconds, true);
      return new TrainingResult(start + 1, lastStep, lastLoss, seconds / (lastStep - start), artifact);
    } catch (IOException e) {
      throw new UncheckedIOException("training into " + out + " failed: " + e.getMessage(), e);
    } finally {
      runManager = null;
    }
  }

  private Path finishRun(boolean finish, Map<String, Block> nets, Map<String, Block> emas,
      AdamW adam, int step, double elapsed, boolean checkpoint) throws IOException {
    if (!finish) {
      return null;
    }
    if (checkpoint || !Files.isDirectory(Checkpoints.dirFor(out, step))) {
      writeCheckpoint(step, elapsed, nets, emas, adam);
    }
    Map<String, ModelArtifact.NamedNetwork> shipped = new LinkedHashMap<>();
    objective.networks().forEach((name, spec) ->
        shipped.put(name, new ModelArtifact.NamedNetwork(spec, emas.get(name))));
    ModelArtifact.save(out, config,
        ModelManifest.InputSpec.of(config, data.channelMean(), data.channelStd()),
        shipped, new ModelManifest.TrainingInfo(
        DataFingerprint.of(data), data.description(), data.size(), step,
        config.training().seed(), Instant.now().toString()));
    return out;
  }

  /** Stops the objective when the loop ends, also on failure. */
  private record Stopper(TrainingObjective objective) implements AutoCloseable {
    @Override
    public void close() {
      objective.stop();
    }
  }

  /** The parameters of all networks, in network order. */
  private static List<Parameter> parameters(Map<String, Block> blocks) {
    List<Parameter> out = new ArrayList<>();
    for (Block b : blocks.values()) {
      out.addAll(b.getParameters().values());
    }
    return out;
  }

  /**
   * What an objective sees of one step: the step, the training seed, the step's manager (closed
   * when the step ends) and the networks in training mode.
   */
  public static final class StepContext {
    private final int step;
    private final long seed;
    private final NDManager manager;
    private final Map<String, Block> networks;
    private final ParameterStore store;

    StepContext(int step, long seed, NDManager manager, Map<String, Block> networks,
        ParameterStore store) {
      this.step = step;
      this.seed = seed;
      this.manager = manager;
      this.networks = networks;
      this.store = store;
    }

    /** The step, from 1. */
    public int step() {
      return step;
    }

    /** training.seed; draw the step's randomness from (seed, step) alone, so resume is exact. */
    public long seed() {
      return seed;
    }

    /** The step's manager; arrays made here are freed when the step ends. */
    public NDManager manager() {
      return manager;
    }

    /**
     * A training-mode forward pass of the named network (gradients recorded).
     *
     * @throws IllegalArgumentException if the objective did not declare the network
     */
    public NDList forward(String network, NDList inputs) {
      Block b = networks.get(network);
      if (b == null) {
        throw new IllegalArgumentException("no network " + network + "; the objective trains "
            + networks.keySet());
      }
      return b.forward(store, inputs, true);
    }
  }

  private static List<Pair<String, Parameter>> trainable(Block net) {
    List<Pair<String, Parameter>> list = new ArrayList<>();
    for (Pair<String, Parameter> p : net.getParameters()) {
      if (p.getValue().requiresGradient()) {
        list.add(p);
      }
    }
    return list;
  }

  private static void copyWeights(List<Parameter> from, List<Parameter> to) {
    for (int i = 0; i < from.size(); i++) {
      to.get(i).getArray().set(from.get(i).getArray().toByteBuffer());
    }
  }

  /** ema = d * ema + (1 - d) * w, in place; also for parameters that do not train. */
  private static void updateEma(List<Parameter> weights, List<Parameter> ema, double decay) {
    float d = (float) decay;
    for (int i = 0; i < weights.size(); i++) {
      NDArray e = ema.get(i).getArray();
      e.muli(d).addi(weights.get(i).getArray().mul(1 - d));
    }
  }

  private void writeCheckpoint(int step, double elapsed, Map<String, Block> nets,
      Map<String, Block> emas, AdamW adam) throws IOException {
    Path dir = Checkpoints.dirFor(out, step);
    Path tmp = dir.resolveSibling(dir.getFileName() + ".tmp");
    deleteTree(tmp);
    Files.createDirectories(tmp);
    for (String name : nets.keySet()) {
      BlockWeights.save(nets.get(name), tmp.resolve(Checkpoints.weights(name)));
      BlockWeights.save(emas.get(name), tmp.resolve(Checkpoints.ema(name)));
    }
    adam.save(tmp.resolve(Checkpoints.OPTIMIZER));
    Checkpoints.writeState(
        tmp.resolve(Checkpoints.STATE), new Checkpoints.State(step, elapsed, config));
    deleteTree(dir);
    Files.move(tmp, dir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private Checkpoints.State restore(Path dir, NDManager manager, Map<String, Block> nets,
      Map<String, Block> emas, AdamW adam) throws IOException {
    Path stateFile = dir.resolve(Checkpoints.STATE);
    Checkpoints.State state = Checkpoints.readState(stateFile);
    DiffadConfig saved = state.config();
    if (!saved.equals(config)
        && !saved.withTrainingSteps(config.training().steps()).equals(config)) {
      throw new ArtifactException(stateFile,
          "was written with a different configuration; only training.steps may change on resume"
              + " (checkpoint: " + saved + ", now: " + config + ")");
    }
    for (String name : nets.keySet()) {
      BlockWeights.load(nets.get(name), manager, dir.resolve(Checkpoints.weights(name)), true);
      BlockWeights.load(emas.get(name), manager, dir.resolve(Checkpoints.ema(name)), false);
    }
    Path opt = dir.resolve(Checkpoints.OPTIMIZER);
    try {
      adam.load(opt, manager);
    } catch (IOException e) {
      throw new ArtifactException(opt, "cannot restore the optimiser: " + e.getMessage(), e);
    }
    return state;
  }

  /** Opens loss.csv for appending; a fresh run starts it, a resumed run drops rows after the checkpoint. */
  private BufferedWriter openLossCsv(int start) throws IOException {
    Path file = out.resolve(LOSS_CSV);
    List<String> keep = new ArrayList<>();
    keep.add(LOSS_HEADER);
    if (start > 0 && Files.exists(file)) {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        int comma = line.indexOf(',');
        if (comma > 0 && Character.isDigit(line.charAt(0))
            && Integer.parseInt(line.substring(0, comma)) <= start) {
          keep.add(line);
        }
      }
    }
    Files.write(file, keep, StandardCharsets.UTF_8);
    return Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
  }

  /** A progress bar on a terminal, plain lines in a log ({@link ProgressBars}). */
  private ProgressReporter newBar(int start, double elapsedBefore) {
    return ProgressBars.open("train " + config.name(), config.training().steps(), start,
        Duration.ofMillis((long) (elapsedBefore * 1000)),
        b -> b.setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).showSpeed().setUnit(" it", 1));
  }

  /**
   * Builds a {@link Trainer}: {@code set*} are required, {@code opt*} optional.
   * {@link #build()} validates the data against the configuration (channels, item sizes, labels).
   */
  public static final class Builder {
    private DiffadConfig config;
    private TrainingSet data;
    private TrainingObjective objective;
    private Path out;
    private NetworkFactory factory = NetworkFactory.standard();
    private TrainingListener listener;
    private boolean progressBar = true;
    private boolean resume;
    private Device device;

    private Builder() {}

    /** The profile to train (required). */
    public Builder setConfig(DiffadConfig config) {
      this.config = config;
      return this;
    }

    /** The training data, in [-1, 1], CHW (required). */
    public Builder setData(TrainingSet data) {
      this.data = data;
      return this;
    }

    /**
     * What to train and how a step's loss is computed (default: {@link DiffusionObjective} of the
     * configuration and data, the denoiser alone).
     */
    public Builder optObjective(TrainingObjective objective) {
      this.objective = objective;
      return this;
    }

    /** The model directory: loss.csv, checkpoints/, and at the end the artifact (required). */
    public Builder setOutputDir(Path out) {
      this.out = out;
      return this;
    }

    /** Builds the network of the configuration (default: {@link NetworkFactory#standard()}). */
    public Builder optNetworkFactory(NetworkFactory factory) {
      this.factory = factory;
      return this;
    }

    /**
     * Same as {@link #optNetworkFactory}; kept because callers (the CLI's train command) name the
     * factory explicitly.
     */
    public Builder setNetworkFactory(NetworkFactory factory) {
      return optNetworkFactory(factory);
    }

    /** Receives a report after every step (default: none). */
    public Builder optListener(TrainingListener listener) {
      this.listener = listener;
      return this;
    }

    /** Shows a console progress bar on stderr (default: true). */
    public Builder optProgressBar(boolean progressBar) {
      this.progressBar = progressBar;
      return this;
    }

    /**
     * Continues from the newest checkpoint in the output directory, if there is one (default:
     * false; a fresh run into a directory with checkpoints is refused).
     */
    public Builder optResume(boolean resume) {
      this.resume = resume;
      return this;
    }

    /** The device to train on (default: the engine's default device). */
    public Builder optDevice(Device device) {
      this.device = device;
      return this;
    }

    /** Validates and builds. */
    public Trainer build() {
      Objects.requireNonNull(config, "setConfig is required");
      Objects.requireNonNull(data, "setData is required");
      Objects.requireNonNull(out, "setOutputDir is required");
      Objects.requireNonNull(factory, "optNetworkFactory must not be null");
      if (Files.exists(out) && !Files.isDirectory(out)) {
        throw new IllegalArgumentException("output directory " + out + " is a file");
      }
      if (objective == null && config.detector() != null) {
        if (config.detector().sources().contains("texture")) {
          throw new IllegalArgumentException("the detector's texture source needs its textures:"
              + " pass optObjective(new DetectorObjective(config, data, textures))");
        }
        objective = new DetectorObjective(config, data, null);
      }
      if (objective == null && config.imputation() != null) {
        objective = new ImputationObjective(config, data);
      }
      if (objective == null) {
        objective = new DiffusionObjective(config, data);
      }
      if (!objective.networks().containsKey(ModelManifest.DENOISER)) {
        throw new IllegalArgumentException("the objective must train a network named "
            + ModelManifest.DENOISER + ", it trains " + objective.networks().keySet());
      }
      if (device == null) {
        device = Engine.getInstance().defaultDevice();
      }
      return new Trainer(this);
    }
  }
}
