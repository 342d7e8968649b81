package ai.diffad.evaluation.run;

import ai.diffad.config.DataConfig;
import ai.diffad.config.DetectorConfig;
import ai.diffad.config.EngineConfig;
import ai.diffad.denoise.data.TrainingSets;
import ai.diffad.denoise.engine.AnomalyEngine;
import ai.diffad.denoise.engine.Resampling;
import ai.diffad.denoise.io.DecodedImage;
import ai.diffad.denoise.io.ImageDecoder;
import ai.diffad.denoise.record.RejectedInputException;
import ai.diffad.evaluation.metrics.Auroc;
import ai.diffad.evaluation.metrics.PixelMap;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.synth.AnomalySynthesizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Model selection without test data: the held-out normal images of {@code train/good} (those the
 * model's {@code data.holdout} kept out of training) are scored as they are and with a synthetic
 * anomaly pasted in ({@link AnomalySynthesizer}, the model's own detector sources, or perlin,
 * shuffle and strokes for a model without one). Each image is first resized like training, and
 * the anomaly is made on a random crop of the training crop size, so it has the statistics the
 * detector was trained on. Image AUROC (clean against anomalous copies) and pixel AUROC (over the
 * anomalous copies) then compare engine settings or checkpoints with no test label in sight.
 */
public final class SyntheticValidation {
  private final LoadedModel model;
  private final EngineConfig config;
  private final int copies;
  private final long seed;

  /**
   * The figures.
   *
   * @param heldOut held-out normal images used
   * @param anomalous anomalous copies scored
   * @param imageAuroc clean against anomalous copies
   * @param pixelAuroc pixels of the anomalous copies, mask against the rest
   * @param seconds wall time of scoring
   */
  public record Result(int heldOut, int anomalous, double imageAuroc, double pixelAuroc,
      double seconds) {}

  /**
   * @param model the model (borrowed)
   * @param config engine settings to validate
   * @param copies anomalous copies per held-out image
   * @param seed seed of the anomalies
   */
  public SyntheticValidation(LoadedModel model, EngineConfig config, int copies, long seed) {
    this.model = Objects.requireNonNull(model, "model");
    this.config = Objects.requireNonNull(config, "config");
    if (copies < 1) {
      throw new IllegalArgumentException("copies must be >= 1, got " + copies);
    }
    this.copies = copies;
    this.seed = seed;
  }

  /** Scores the held-out images of an MVTec-layout {@code root} and their anomalous copies. */
  public Result run(Path root, Progress progress) throws IOException {
    Progress p = progress == null ? Progress.NONE : progress;
    DataConfig trained = model.manifest().config().data();
    int channels = model.manifest().input().channels();
    List<Path> train = TrainingSets.imageFiles(root.resolve("train").resolve("good"));
    List<Path> heldOut = new ArrayList<>();
    for (int i = 0; i < train.size(); i++) {
      if (trained.heldOut(i)) {
        heldOut.add(train.get(i));
      }
    }
    if (heldOut.isEmpty()) {
      throw new IllegalArgumentException("the model was trained on all of train/good (data.holdout"
          + " = " + trained.holdout() + "): there are no unseen normal images to validate on");
    }
    DetectorConfig own = model.manifest().config().detector();
    DetectorConfig det = (own == null ? DetectorConfig.defaults() : own).withoutForeignTextures();
    int s = trained.size();
    AnomalySynthesizer synth = new AnomalySynthesizer(det, channels, s, null);
    ImageDecoder decoder = ImageDecoder.of(config);
    SplittableRandom rng = new SplittableRandom(seed);
    List<AnomalyEngine.ImageInput> inputs = new ArrayList<>();
    List<boolean[]> masks = new ArrayList<>();
    List<int[]> sizes = new ArrayList<>();
    for (int i = 0; i < heldOut.size(); i++) {
      DecodedImage d;
      try {
        d = decoder.decode(heldOut.get(i)).withChannels(channels);
      } catch (RejectedInputException e) {
        throw new IOException(heldOut.get(i) + ": " + e.reason() + ": " + e.detail(), e);
      }
      int[] hw = Resampling.shorterSide(d.height(), d.width(), trained.resize());
      float[] work = Resampling.likeTraining(d.data(), channels, d.height(), d.width(), hw[0], hw[1]);
      int h = hw[0];
      int w = hw[1];
      if (h < s || w < s) {
        throw new IOException(heldOut.get(i) + " is " + h + "x" + w + " after the training resize,"
            + " smaller than the " + s + "-pixel crops anomalies are made on");
      }
      inputs.add(new AnomalyEngine.ImageInput("clean/" + i, work, channels, h, w));
      masks.add(new boolean[h * w]);
      sizes.add(new int[] {h, w});
      for (int k = 0; k < copies; k++) {
        float[] copy = work.clone();
        boolean[] mask = new boolean[h * w];
        paste(copy, mask, channels, h, w, s, synth, rng);
        inputs.add(new AnomalyEngine.ImageInput("anomalous/" + i + "/" + k, copy, channels, h, w));
        masks.add(mask);
        sizes.add(new int[] {h, w});
      }
    }
    long t0 = System.nanoTime();
    double[] scores = new double[inputs.size()];
    boolean[] labels = new boolean[inputs.size()];
    List<PixelMap> pixels = new ArrayList<>();
    int group = Math.max(1, config.batchSize());
    try (AnomalyEngine engine = new AnomalyEngine(model, config)) {
      for (int from = 0; from < inputs.size(); from += group) {
        List<AnomalyEngine.ImageInput> batch =
            inputs.subList(from, Math.min(inputs.size(), from + group));
        List<AnomalyEngine.ScoreResult> r = engine.scoreAll(batch);
        for (int j = 0; j < r.size(); j++) {
          int i = from + j;
          scores[i] = r.get(j).score();
          labels[i] = inputs.get(i).id().startsWith("anomalous/");
          if (labels[i]) {
            pixels.add(new PixelMap(r.get(j).map(), masks.get(i), sizes.get(i)[0],
                sizes.get(i)[1]));
          }
        }
        p.advanced("scoring held-out images with and without synthetic anomalies",
            Math.min(inputs.size(), from + group), inputs.size());
      }
    }
    return new Result(heldOut.size(), heldOut.size() * copies, Auroc.image(scores, labels),
        Auroc.pixels(pixels), (System.nanoTime() - t0) / 1e9);
  }

  /** Makes an anomaly on a random s x s window of the image, in place; marks it in the mask. */
  private static void paste(float[] img, boolean[] mask, int c, int h, int w, int s,
      AnomalySynthesizer synth, SplittableRandom rng) {
    float[] crop = new float[c * s * s];
    float[] out = new float[c * s * s];
    float[] m = new float[s * s];
    AnomalySynthesizer.Sample sample;
    int oy;
    int ox;
    do {
      oy = rng.nextInt(h - s + 1);
      ox = rng.nextInt(w - s + 1);
      for (int k = 0; k < c; k++) {
        for (int y = 0; y < s; y++) {
          System.arraycopy(img, (k * h + oy + y) * w + ox, crop, (k * s + y) * s, s);
        }
      }
      sample = synth.synthesize(crop, 0, rng, out, 0, m, 0);
    } while (sample.clean());
    for (int k = 0; k < c; k++) {
      for (int y = 0; y < s; y++) {
        System.arraycopy(out, (k * s + y) * s, img, (k * h + oy + y) * w + ox, s);
      }
    }
    for (int y = 0; y < s; y++) {
      for (int x = 0; x < s; x++) {
        if (m[y * s + x] > 0) {
          mask[(oy + y) * w + ox + x] = true;
        }
      }
    }
  }
}
