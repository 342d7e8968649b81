package ai.diffad.model.train;

import ai.diffad.config.DetectorConfig;
import ai.diffad.config.DiffadConfig;
import ai.diffad.model.artifact.ModelManifest;
import ai.diffad.model.artifact.NetworkSpec;
import ai.diffad.model.noise.NoiseGenerator;
import ai.diffad.model.schedule.NoiseSchedule;
import ai.diffad.model.synth.AnomalySynthesizer;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The detector objective (DESIGN.md, "The detector"; DiffusionAD): per step a batch of clean
 * crops, each given a synthetic anomaly ({@link AnomalySynthesizer}; a share left clean), noised
 * to t drawn from {@code detector.tRange}. Two networks train jointly:
 *
 * <ul>
 *   <li>the {@value ModelManifest#DENOISER} U-Net predicts the noise measured against the CLEAN
 *       crop, {@code eps* = (x_t - sqrt(abar) x) / sqrt(1 - abar)}, so its one-step estimate
 *       x0 = (x_t - sqrt(1 - abar) eps_hat) / sqrt(abar) removes the anomaly. Its squared error
 *       is weighted per sample by min(SNR, snrCap) / SNR (min-SNR weighting): eps* grows as
 *       1 / sqrt(1 - abar) at small t, the weight keeps that loss at most snrCap times the x0
 *       error;
 *   <li>the {@value ModelManifest#SEGMENTER} U-Net sees concat(x_a, clamp(x0, -1, 1)) (x0 with
 *       its gradient stopped: the mask loss does not move the denoiser) and is trained with
 *       focalWeight * focal(gamma) + diceWeight * soft dice against the mask.
 * </ul>
 *
 * <p>Synthesis runs on a thread of its own, one step ahead, so it overlaps the network's work on
 * the other core; {@link #stats()} says how long it took and how long a step waited for it. Every
 * random choice of step s comes from (seed, s), so resume is exact.
 */
public final class DetectorObjective implements TrainingObjective {
  /** Weight file of the segmentation head. */
  public static final String SEGMENTER_FILE = "segmenter.params";
  private static final long SALT = 0x5DEECE66DL;

  private final DiffadConfig config;
  private final DetectorConfig detector;
  private final TrainingSet data;
  private final TrainingSet textures;
  private final Map<String, NetworkSpec> networks;
  private final int batch;
  private final int channels;
  private final int size;
  private final int d;
  private BatchSampler sampler;
  private double[] alphaBar;
  private NoiseGenerator noise;
  private ExecutorService pool;
  private ThreadLocal<AnomalySynthesizer> synthesizers;
  private Future<Prepared> next;
  private int nextStep = -1;
  private long synthNanos;
  private long waitNanos;
  private int batches;

  /**
   * @param config a profile with a {@code detector} section
   * @param data the normal training crops
   * @param textures foreign textures for the {@code texture} source, or null
   */
  public DetectorObjective(DiffadConfig config, TrainingSet data, TrainingSet textures) {
    this.config = Objects.requireNonNull(config, "config");
    this.detector = Objects.requireNonNull(config.detector(), "the profile has no detector section");
    this.data = Objects.requireNonNull(data, "data");
    this.textures = textures;
    BatchSampler.validate(config, data);
    this.batch = config.training().batchSize();
    this.channels = config.data().channels();
    this.size = config.data().size();
    this.d = channels * size * size;
    // Fails here, before training, if the textures do not suit the crops.
    new AnomalySynthesizer(detector, channels, size, textures);
    Map<String, NetworkSpec> n = new LinkedHashMap<>();
    n.put(ModelManifest.DENOISER, DiffusionObjective.denoiser(config));
    n.put(ModelManifest.SEGMENTER, segmenter(detector, channels));
    this.networks = Collections.unmodifiableMap(n);
  }

  /** The manifest entry of the segmentation head of a detector on C-channel images. */
  public static NetworkSpec segmenter(DetectorConfig detector, int channels) {
    return new NetworkSpec(SEGMENTER_FILE, detector.segmentation(), 2 * channels, 1,
        List.of(NetworkSpec.X, NetworkSpec.T));
  }

  @Override
  public Map<String, NetworkSpec> networks() {
    return networks;
  }

  @Override
  public void start() {
    alphaBar = NoiseSchedule.of(config.schedule()).alphaBars();
    sampler = new BatchSampler(config, data, alphaBar);
    noise = NoiseGenerator.of(config.training().noise());
    synthesizers = ThreadLocal.withInitial(
        () -> new AnomalySynthesizer(detector, channels, size, textures));
    pool = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "diffad-synthesis");
      t.setDaemon(true);
      return t;
    });
    next = null;
    nextStep = -1;
  }

  @Override
  public void stop() {
    if (pool != null) {
      pool.shutdownNow();
      pool = null;
    }
  }

  /**
   * How synthesis went so far.
   *
   * @param batches batches made
   * @param synthesisMs mean milliseconds to make one batch (on the synthesis thread)
   * @param waitMs mean milliseconds a step waited for its batch
   */
  public record Stats(int batches, double synthesisMs, double waitMs) {}

  /** Synthesis statistics of this run. */
  public Stats stats() {
    return new Stats(batches, batches == 0 ? 0 : synthNanos / 1e6 / batches,
        batches == 0 ? 0 : waitNanos / 1e6 / batches);
  }

  /** A synthesised batch: floats laid out as [x_t | eps* | x_a | x | mask | t | sqrt(abar) | sqrt(1-abar) | weight]. */
  record Prepared(float[] packed, long nanos) {}

  @Override
  public NDArray loss(Trainer.StepContext step) {
    if (sampler == null) {
      start();
    }
    long w0 = System.nanoTime();
    Prepared p = take(step.seed(), step.step());
    waitNanos += System.nanoTime() - w0;
    synthNanos += p.nanos();
    batches++;
    if (pool != null && step.step() < config.training().steps()) {
      final long seed = step.seed();
      final int s = step.step() + 1;
      next = pool.submit(() -> prepare(seed, s));
      nextStep = s;
    }
    return loss(step.manager(), p.packed(), step);
  }

  private Prepared take(long seed, int s) {
    if (next != null && nextStep == s) {
      try {
        return next.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while synthesising the batch of step " + s, e);
      } catch (ExecutionException e) {
        throw new IllegalStateException("synthesising the batch of step " + s + " failed: "
            + e.getCause(), e.getCause());
      } finally {
        next = null;
      }
    }
    return prepare(seed, s);
  }

  /** Makes the batch of step {@code s}; depends on (seed, s) alone. */
  Prepared prepare(long seed, int s) {
    long t0 = System.nanoTime();
    AnomalySynthesizer synth = synthesizers.get();
    int s2 = size * size;
    int bd = batch * d;
    float[] out = new float[4 * bd + batch * s2 + 4 * batch];
    int xtOff = 0;
    int tgOff = bd;
    int xaOff = 2 * bd;
    int xOff = 3 * bd;
    int mOff = 4 * bd;
    int tOff = mOff + batch * s2;
    SplittableRandom rng = new SplittableRandom(BatchSampler.mix(seed ^ SALT, s));
    int lo = detector.tRange().get(0);
    int hi = Math.min(detector.tRange().get(1), config.schedule().timesteps());
    int[] ts = new int[batch];
    for (int b = 0; b < batch; b++) {
      sampler.crop(rng.nextInt(data.size()), rng, out, xOff + b * d);
      ts[b] = rng.nextInt(lo, hi);
      synth.synthesize(out, xOff + b * d, rng, out, xaOff + b * d, out, mOff + b * s2);
    }
    float[] eps = noise.generate(new Shape(batch, channels, size, size), rng.nextLong());
    double cap = detector.snrCap();
    for (int b = 0; b < batch; b++) {
      double ab = alphaBar[ts[b]];
      float sa = (float) Math.sqrt(ab);
      float sn = (float) Math.sqrt(1 - ab);
      int base = b * d;
      for (int k = 0; k < d; k++) {
        float xt = sa * out[xaOff + base + k] + sn * eps[base + k];
        out[xtOff + base + k] = xt;
        out[tgOff + base + k] = (xt - sa * out[xOff + base + k]) / sn;
      }
      double snr = ab / (1 - ab);
      out[tOff + b] = ts[b];
      out[tOff + batch + b] = sa;
      out[tOff + 2 * batch + b] = sn;
      out[tOff + 3 * batch + b] = (float) (Math.min(snr, cap) / snr);
    }
    return new Prepared(out, System.nanoTime() - t0);
  }

  private NDArray loss(NDManager m, float[] packed, Trainer.StepContext step) {
    int bd = batch * d;
    int s2 = size * size;
    Shape xs = new Shape(batch, channels, size, size);
    Shape per = new Shape(batch, 1, 1, 1);
    NDArray all = m.create(packed);
    int tOff = 4 * bd + batch * s2;
    NDArray xt = all.get(new NDIndex("0:{}", bd)).reshape(xs);
    NDArray target = all.get(new NDIndex("{}:{}", bd, 2 * bd)).reshape(xs);
    NDArray xa = all.get(new NDIndex("{}:{}", 2 * bd, 3 * bd)).reshape(xs);
    NDArray mask = all.get(new NDIndex("{}:{}", 4 * bd, tOff)).reshape(batch, 1, size, size);
    NDArray t = all.get(new NDIndex("{}:{}", tOff, tOff + batch));
    NDArray sa = all.get(new NDIndex("{}:{}", tOff + batch, tOff + 2 * batch)).reshape(per);
    NDArray sn = all.get(new NDIndex("{}:{}", tOff + 2 * batch, tOff + 3 * batch)).reshape(per);
    NDArray weight = all.get(new NDIndex("{}:{}", tOff + 3 * batch, tOff + 4 * batch));

    NDArray epsHat = step.forward(ModelManifest.DENOISER, new NDList(xt, t)).singletonOrThrow();
    NDArray denoise = epsHat.sub(target).square().reshape(batch, -1).mean(new int[] {1})
        .mul(weight).mean();

    NDArray x0 = xt.sub(epsHat.stopGradient().mul(sn)).div(sa).clip(-1f, 1f);
    NDArray logits = step.forward(ModelManifest.SEGMENTER,
        new NDList(xa.concat(x0, 1), m.zeros(new Shape(batch)))).singletonOrThrow();
    return denoise.add(maskLoss(logits, mask, detector));
  }

  /**
   * focalWeight * focal(gamma) + diceWeight * soft dice of mask logits against a 0/1 mask (both
   * (N, 1, H, W)); the focal term in the log-sigmoid form, stable for any logit.
   */
  static NDArray maskLoss(NDArray logits, NDArray mask, DetectorConfig detector) {
    float gamma = detector.focalGamma().floatValue();
    NDArray logP = softplus(logits.neg()).neg();
    NDArray log1mP = softplus(logits).neg();
    NDArray p = Activation.sigmoid(logits);
    NDArray pos = p.neg().add(1f).pow(gamma).mul(logP).mul(mask);
    NDArray neg = p.pow(gamma).mul(log1mP).mul(mask.neg().add(1f));
    NDArray focal = pos.add(neg).mean().neg();
    NDArray inter = p.mul(mask).sum();
    NDArray dice = inter.mul(2f).add(1f).div(p.sum().add(mask.sum()).add(1f)).neg().add(1f);
    return focal.mul(detector.focalWeight().floatValue())
        .add(dice.mul(detector.diceWeight().floatValue()));
  }

  /** log(1 + exp(z)) = max(z, 0) + log(1 + exp(-|z|)). */
  static NDArray softplus(NDArray z) {
    return z.maximum(0f).add(z.abs().neg().exp().add(1f).log());
  }
}
