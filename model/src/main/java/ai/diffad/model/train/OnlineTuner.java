package ai.diffad.model.train;

import ai.diffad.config.DiffadConfig;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.artifact.ModelManifest;
import ai.diffad.model.artifact.NetworkFactory;
import ai.diffad.model.artifact.NetworkSpec;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Online learning for one series at a time (HTM-style: a detector learns from every row before the
 * one it scores): fine-tunes a loaded model's denoiser on the series' past, in place, so the
 * engine that borrows the model scores the next rows with the tuned weights. Each
 * {@link #update} takes {@code steps} optimiser steps of the profile's own objective (the
 * imputation objective for an imputer, the noise MSE otherwise) on windows of the data it is
 * given, so its cost is fixed per update whatever the series' length; the caller bounds the cost
 * per row by how often it updates. {@link #reset} puts the shared weights back (a new series),
 * {@link #weights} / {@link #load} hand a series' tuned weights to and from state (a stream's
 * per-source state).
 *
 * <p>Owns one {@link NDManager} (the training copy and the optimiser's moments), freed by {@link
 * #close}; each step's arrays live in a sub-manager closed with the step. Not thread-safe, like
 * the model it tunes.
 */
public final class OnlineTuner implements AutoCloseable {
  private final LoadedModel model;
  private final DiffadConfig config;
  private final ai.diffad.config.OnlineConfig settings;
  private final NDManager manager;
  private final Block net;
  private final List<Parameter> trained;
  private final List<Parameter> served;
  private final float[][] shared;
  private final AdamW adam;
  private long updates;

  /**
   * @param model the model whose denoiser is tuned in place (borrowed; it keeps its manager)
   * @param settings steps, batch and learning rate of an update (its every and history are the
   *     caller's)
   */
  public OnlineTuner(LoadedModel model, ai.diffad.config.OnlineConfig settings) {
    this.model = Objects.requireNonNull(model, "model");
    this.settings = Objects.requireNonNull(settings, "settings");
    DiffadConfig trainedWith = model.manifest().config();
    if (trainedWith.detector() != null) {
      throw new IllegalArgumentException("online learning tunes series models; model "
          + model.manifest().name() + " is a detector");
    }
    this.config = trainedWith.withTrainingBatch(settings.batchSize());
    NetworkSpec spec = model.manifest().denoiser();
    this.manager = NDManager.newBaseManager(model.manager().getDevice());
    try {
      this.net = NetworkFactory.standard().create(spec);
      net.initialize(manager, DataType.FLOAT32, NetworkFactory.inputShapes(config, spec));
      this.trained = new ArrayList<>(net.getParameters().values());
      this.served = new ArrayList<>(model.block().getParameters().values());
      if (trained.size() != served.size()) {
        throw new IllegalStateException("the training copy has " + trained.size()
            + " parameters, the model " + served.size());
      }
      List<Pair<String, Parameter>> params = new ArrayList<>();
      for (Pair<String, Parameter> p : net.getParameters()) {
        if (p.getValue().requiresGradient()) {
          params.add(p);
        }
      }
      this.adam = new AdamW(manager, params);
      this.shared = weights();
      reset();
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /** The served weights back to the model's shared ones. */
  public void reset() {
    load(shared);
  }

  /**
   * Serves {@code weights} (from {@link #weights()} of a tuner of the same model) and tunes from
   * them at the next update. Copies the weights only: a stream that switches between sources at
   * every input pays one copy per switch.
   */
  public void load(float[][] weights) {
    if (weights.length != served.size()) {
      throw new IllegalArgumentException(weights.length + " weight arrays, the model has "
          + served.size());
    }
    for (int i = 0; i < served.size(); i++) {
      served.get(i).getArray().set(weights[i]);
    }
  }

  /** The weights the model serves now, parameter by parameter. */
  public float[][] weights() {
    float[][] out = new float[served.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = served.get(i).getArray().toFloatArray();
    }
    return out;
  }

  /** Updates so far over the tuner's life. */
  public long updates() {
    return updates;
  }

  /**
   * {@code settings.steps} optimiser steps on windows of {@code past}, then the model serves the
   * tuned weights (with {@code ema} d: d x served + (1 - d) x tuned). Each update tunes from the
   * weights served and starts the optimiser afresh (its moments are zeroed, not carried from the
   * last update), so the result depends on the served weights, {@code past} and {@code seed}
   * only: the weights and rows a stream keeps per source are all it needs to continue
   * exactly after a restore, whichever sources were tuned in between.
   *
   * @param past the series' rows seen so far (normalised like training), at least one window
   * @param seed seeds the batches (windows, t, noise, masks) of this update
   * @return the mean loss of the update's steps
   */
  public double update(TrainingSet past, long seed) {
    // DJL's PyTorch engine lets one GradientCollector collect at a time in a JVM (a static flag),
    // and several tuners run in one JVM when a stream's scorers share a TaskManager: updates take
    // turns. A collector restores the thread's grad mode when it closes, and PyTorch's default on
    // a new thread (a Flink task's) is on, under which AdamW's in-place update of a leaf that
    // requires grad is refused: switch it off for this thread first.
    synchronized (GRADIENTS) {
      ai.djl.pytorch.jni.JniUtils.setGradMode(false);
      return updateLocked(past, seed);
    }
  }

  /** One JVM-wide lock around gradient collection (see {@link #update}). */
  private static final Object GRADIENTS = new Object();

  private double updateLocked(TrainingSet past, long seed) {
    TrainingObjective objective = config.imputation() != null
        ? new ImputationObjective(config, past)
        : new DiffusionObjective(config, past);
    objective.start();
    Engine engine = Engine.getInstance();
    ParameterStore store = new ParameterStore(manager, false);
    for (int i = 0; i < served.size(); i++) {
      trained.get(i).getArray().set(served.get(i).getArray().toFloatArray());
    }
    adam.restart();
    double sum = 0;
    try {
      for (int step = 1; step <= settings.steps(); step++) {
        try (NDScope scope = new NDScope(); NDManager sub = manager.newSubManager()) {
          scope.suppressNotUsedWarning();
          Trainer.StepContext ctx = new Trainer.StepContext(step, seed, sub,
              Map.of(ModelManifest.DENOISER, net), store);
          double loss;
          try (GradientCollector collector = engine.newGradientCollector()) {
            NDArray l = objective.loss(ctx);
            collector.backward(l);
            loss = l.getFloat();
          }
          double norm = adam.gradNorm();
          if (!Double.isFinite(loss) || !Double.isFinite(norm)) {
            adam.zeroGradients();
            continue;
          }
          double clip = norm > 1.0 ? 1.0 / norm : 1.0;
          adam.step(step, settings.learningRate(), 0.0, clip);
          sum += loss;
        }
      }
    } finally {
      objective.stop();
    }
    float d = (float) (double) settings.ema();
    for (int i = 0; i < served.size(); i++) {
      float[] w = trained.get(i).getArray().toFloatArray();
      if (d > 0) {
        float[] s = served.get(i).getArray().toFloatArray();
        for (int k = 0; k < w.length; k++) {
          w[k] = d * s[k] + (1 - d) * w[k];
        }
      }
      served.get(i).getArray().set(w);
    }
    updates++;
    return sum / settings.steps();
  }

  /** Frees the training copy and the optimiser; the model keeps the weights it serves. */
  @Override
  public void close() {
    manager.close();
  }
}
