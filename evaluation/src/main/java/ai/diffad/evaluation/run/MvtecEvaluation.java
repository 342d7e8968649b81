package ai.diffad.evaluation.run;

import ai.diffad.config.DataConfig;
import ai.diffad.config.EngineConfig;
import ai.diffad.config.MapKind;
import ai.diffad.denoise.calibrate.Calibration;
import ai.diffad.denoise.calibrate.Calibrator;
import ai.diffad.denoise.calibrate.ScoreSettings;
import ai.diffad.denoise.data.TrainingSets;
import ai.diffad.denoise.engine.AnomalyEngine;
import ai.diffad.denoise.engine.AnomalyMapper;
import ai.diffad.denoise.engine.AnomalyMappers;
import ai.diffad.denoise.engine.FeatureBank;
import ai.diffad.denoise.engine.PixelErrorMapper;
import java.util.Optional;
import ai.diffad.denoise.io.DecodedImage;
import ai.diffad.denoise.io.ImageDecoder;
import ai.diffad.denoise.record.RejectedInputException;
import ai.diffad.evaluation.baseline.ZScoreBaseline;
import ai.diffad.evaluation.data.MvtecDataset;
import ai.diffad.evaluation.metrics.Aupro;
import ai.diffad.evaluation.metrics.Auroc;
import ai.diffad.evaluation.metrics.BinaryCurve;
import ai.diffad.evaluation.metrics.PixelMap;
import ai.diffad.model.artifact.LoadedModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Evaluates an image model on an MVTec-layout category the way anomalib does, with the z-score
 * baseline in the same run: image AUROC, pixel AUROC, AUPRO (FPR up to 0.3), F1-max (the oracle
 * figure: its threshold is chosen on the test labels), average precision, AUROC per defect type,
 * and F1 / precision / recall at a threshold fitted on normal images only: the part of
 * {@code train/good} that the model's {@code data.holdout} kept out of training.
 */
public final class MvtecEvaluation {

  /**
   * Settings of a run.
   *
   * @param every score every k-th test image only (1: all); reported
   * @param quantile the quantile of held-out normal scores used as threshold
   * @param baselineSide the square size the z-score baseline compares images at
   * @param baselineSigma the baseline's blur, in pixels of that size
   */
  public record Options(int every, double quantile, int baselineSide, double baselineSigma) {
    /** Validates. */
    public Options {
      if (every < 1) {
        throw new IllegalArgumentException("every must be >= 1, got " + every);
      }
      if (!(quantile > 0 && quantile <= 1)) {
        throw new IllegalArgumentException("quantile must be in (0, 1], got " + quantile);
      }
    }

    /** All test images, the 0.99 quantile, the baseline at 128x128 blurred with sigma 2. */
    public static Options defaults() {
      return new Options(1, Calibrator.DEFAULT_QUANTILE, 128, 2.0);
    }
  }

  /**
   * The figures of one method (diffad or a baseline) on the test set.
   *
   * @param name method name
   * @param scores image scores, in test-item order
   * @param maps anomaly maps at each test image's resolution, in test-item order
   * @param summary image-level AUROC, AP, F1-max and its (oracle) threshold
   * @param pixelAuroc pixel AUROC over all test pixels (NaN without masks)
   * @param aupro AUPRO up to FPR 0.3, normalised to [0, 1]
   * @param perDefectAuroc image AUROC of good against each defect type
   * @param threshold the threshold fitted on held-out normal images
   * @param thresholdSource where the threshold came from, in words
   * @param atThreshold confusion counts and F1 at that threshold
   * @param heldOutScores scores of the held-out normal images
   */
  public record MethodResult(String name, double[] scores, List<float[]> maps,
      BinaryCurve.Summary summary, double pixelAuroc, double aupro,
      Map<String, Double> perDefectAuroc, double threshold, String thresholdSource,
      AtThreshold atThreshold, double[] heldOutScores) {}

  /**
   * Detection at a fixed threshold ({@code score >= threshold} is anomalous).
   *
   * @param tp anomalous images flagged
   * @param fp normal images flagged
   * @param fn anomalous images missed
   * @param tn normal images passed
   */
  public record AtThreshold(int tp, int fp, int fn, int tn) {
    /** Precision (NaN with nothing flagged). */
    public double precision() {
      return tp + fp == 0 ? Double.NaN : tp / (double) (tp + fp);
    }

    /** Recall. */
    public double recall() {
      return tp + fn == 0 ? Double.NaN : tp / (double) (tp + fn);
    }

    /** F1 (0 when nothing is found). */
    public double f1() {
      return tp == 0 ? 0.0 : 2.0 * tp / (2.0 * tp + fp + fn);
    }

    /** Counts at a threshold. */
    public static AtThreshold of(double[] scores, boolean[] labels, double threshold) {
      int tp = 0;
      int fp = 0;
      int fn = 0;
      int tn = 0;
      for (int i = 0; i < scores.length; i++) {
        boolean flagged = scores[i] >= threshold;
        if (labels[i]) {
          if (flagged) {
            tp++;
          } else {
            fn++;
          }
        } else if (flagged) {
          fp++;
        } else {
          tn++;
        }
      }
      return new AtThreshold(tp, fp, fn, tn);
    }
  }

  /**
   * Everything a report needs.
   *
   * @param items the test items scored, in order
   * @param heights image heights, in item order
   * @param widths image widths, in item order
   * @param masks ground-truth masks at image resolution, in item order
   * @param inputs the decoded test images (gray or colour, [-1, 1]), in item order
   * @param methods diffad first, then the baseline
   * @param heldOut how many held-out normal images fitted the thresholds
   * @param trainedOn how many train/good images the baseline statistics came from
   * @param scoringSeconds wall time of the diffad scoring of the test images
   * @param seconds wall time of the whole evaluation
   */
  public record Result(List<MvtecDataset.TestItem> items, int[] heights, int[] widths,
      List<boolean[]> masks, List<DecodedImage> inputs, List<MethodResult> methods, int heldOut,
      int trainedOn, double scoringSeconds, double seconds) {
    /** Test labels, true = anomalous. */
    public boolean[] labels() {
      boolean[] l = new boolean[items.size()];
      for (int i = 0; i < l.length; i++) {
        l[i] = items.get(i).defective();
      }
      return l;
    }

    /** diffad's result. */
    public MethodResult diffad() {
      return methods.get(0);
    }

    /** Images per second of diffad's scoring. */
    public double imagesPerSecond() {
      return items.size() / scoringSeconds;
    }
  }

  private final LoadedModel model;
  private final EngineConfig config;
  private final Options options;

  /**
   * @param model the image model (not closed here)
   * @param config engine settings
   * @param options run settings
   */
  public MvtecEvaluation(LoadedModel model, EngineConfig config, Options options) {
    this.model = Objects.requireNonNull(model, "model");
    this.config = Objects.requireNonNull(config, "config");
    this.options = Objects.requireNonNull(options, "options");
  }

  /** Runs the evaluation on a category. */
  public Result run(MvtecDataset data, Progress progress) throws IOException {
    long t0 = System.nanoTime();
    Progress p = progress == null ? Progress.NONE : progress;
    int channels = model.manifest().input().channels();
    DataConfig trained = model.manifest().config().data();
    ImageDecoder decoder = ImageDecoder.of(config);

    // train/good in the order training saw it: the held-out ones fit thresholds, the rest the baseline.
    List<Path> train = TrainingSets.imageFiles(data.root().resolve("train").resolve("good"));
    List<Path> heldOut = new ArrayList<>();
    ZScoreBaseline.Fitter fitter = ZScoreBaseline.fitter(options.baselineSide(), options.baselineSigma());
    // A map that learns from normal data (k-NN) uses the model's own state when it has one for
    // these settings; otherwise it is fitted here on the train/good images training saw.
    Optional<AnomalyMappers.Fitter> mapFitter = AnomalyMappers.fitter(model, config, 0)
        .filter(f -> f.files().stream().anyMatch(file -> model.readFile(file).isEmpty()));
    boolean fit = mapFitter.isPresent();
    AnomalyEngine plain = fit ? new AnomalyEngine(model, config,
        new PixelErrorMapper(MapKind.L1, null)) : null;
    int fitted = 0;
    for (int i = 0; i < train.size(); i++) {
      if (trained.heldOut(i)) {
        heldOut.add(train.get(i));
      } else {
        DecodedImage img = decode(decoder, train.get(i));
        fitter.add(img);
        if (fit) {
          DecodedImage c = img.withChannels(channels);
          AnomalyEngine.ImageInput input = new AnomalyEngine.ImageInput("train/" + i, c.data(),
              c.channels(), c.height(), c.width());
          int side = plain.tiler().tileSize();
          mapFitter.get().add(input, plain.tiles(input), channels, side, side);
        }
        fitted++;
      }
      p.advanced(fit ? "fitting the baseline and the " + config.map().kind().spelling() + " map"
          : "fitting the z-score baseline", i + 1, train.size());
    }
    if (heldOut.isEmpty()) {
      throw new IllegalArgumentException("the model was trained on all of train/good (data.holdout = "
          + trained.holdout() + "): there are no unseen normal images to fit a threshold on; "
          + "train with data.holdout > 0 (the magnetic-tile profile holds out 0.1)");
    }
    ZScoreBaseline baseline = fitter.fit();
    try (AnomalyMapper mapper = fit ? mapFitter.get().build() : AnomalyMappers.open(model, config)) {
      return score(data, p, t0, channels, trained, decoder, heldOut, baseline, fitted,
          new AnomalyEngine(model, config, mapper));
    }
  }

  private Result score(MvtecDataset data, Progress p, long t0, int channels, DataConfig trained,
      ImageDecoder decoder, List<Path> heldOut, ZScoreBaseline baseline, int fitted,
      AnomalyEngine engine) throws IOException {

    double[] heldDiffad = new double[heldOut.size()];
    double[] heldBase = new double[heldOut.size()];
    List<DecodedImage> heldImages = new ArrayList<>();
    for (Path f : heldOut) {
      heldImages.add(decode(decoder, f).withChannels(channels));
    }
    List<AnomalyEngine.ScoreResult> heldResults = scoreAll(engine, heldImages, "held",
        "scoring held-out normal images", p);
    for (int i = 0; i < heldImages.size(); i++) {
      heldDiffad[i] = heldResults.get(i).score();
      heldBase[i] = ZScoreBaseline.score(baseline.map(heldImages.get(i)));
    }

    List<MvtecDataset.TestItem> items = new ArrayList<>();
    for (int i = 0; i < data.test().size(); i += options.every()) {
      items.add(data.test().get(i));
    }
    List<DecodedImage> inputs = new ArrayList<>(items.size());
    int[] hs = new int[items.size()];
    int[] ws = new int[items.size()];
    List<boolean[]> masks = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      DecodedImage img = decode(decoder, items.get(i).image()).withChannels(channels);
      inputs.add(img);
      hs[i] = img.height();
      ws[i] = img.width();
      masks.add(items.get(i).loadMask(img.height(), img.width()));
      p.advanced("reading test images", i + 1, items.size());
    }
    long s0 = System.nanoTime();
    List<AnomalyEngine.ScoreResult> results = scoreAll(engine, inputs, "test", "scoring test images", p);
    double scoringSeconds = (System.nanoTime() - s0) / 1e9;

    boolean[] labels = new boolean[items.size()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = items.get(i).defective();
    }
    double[] diffadScores = new double[items.size()];
    List<float[]> diffadMaps = new ArrayList<>(items.size());
    double[] baseScores = new double[items.size()];
    List<float[]> baseMaps = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      diffadScores[i] = results.get(i).score();
      diffadMaps.add(results.get(i).map());
      float[] bm = baseline.map(inputs.get(i));
      baseMaps.add(bm);
      baseScores[i] = ZScoreBaseline.score(bm);
    }
    String source = "quantile " + options.quantile() + " of " + heldOut.size()
        + " held-out train/good images (every " + Math.round(1 / trained.holdout())
        + "th, never trained on); no test labels used";
    List<MethodResult> methods = new ArrayList<>();
    p.advanced("computing metrics", 0, 2);
    methods.add(method("diffad", diffadScores, diffadMaps, labels, items, masks, hs, ws,
        heldDiffad, source));
    p.advanced("computing metrics", 1, 2);
    methods.add(method("z-score baseline", baseScores, baseMaps, labels, items, masks, hs, ws,
        heldBase, source));
    p.advanced("computing metrics", 2, 2);
    return new Result(List.copyOf(items), hs, ws, masks, inputs, methods, heldOut.size(), fitted,
        scoringSeconds, (System.nanoTime() - t0) / 1e9);
  }

  private List<AnomalyEngine.ScoreResult> scoreAll(AnomalyEngine engine, List<DecodedImage> images,
      String idPrefix, String phase, Progress p) {
    int group = Math.max(1, config.batchSize());
    List<AnomalyEngine.ScoreResult> out = new ArrayList<>(images.size());
    for (int from = 0; from < images.size(); from += group) {
      List<AnomalyEngine.ImageInput> batch = new ArrayList<>();
      for (int i = from; i < Math.min(images.size(), from + group); i++) {
        DecodedImage d = images.get(i);
        batch.add(new AnomalyEngine.ImageInput(idPrefix + "/" + i, d.data(), d.channels(),
            d.height(), d.width()));
      }
      out.addAll(engine.scoreAll(batch));
      p.advanced(phase, out.size(), images.size());
    }
    return out;
  }

  private MethodResult method(String name, double[] scores, List<float[]> maps, boolean[] labels,
      List<MvtecDataset.TestItem> items, List<boolean[]> masks, int[] hs, int[] ws,
      double[] heldScores, String source) {
    BinaryCurve.Summary summary = BinaryCurve.of(scores, labels);
    List<PixelMap> pixels = new ArrayList<>(items.size());
    boolean anyMask = false;
    for (int i = 0; i < items.size(); i++) {
      pixels.add(new PixelMap(maps.get(i), masks.get(i), hs[i], ws[i]));
      anyMask |= items.get(i).mask() != null;
    }
    double pixelAuroc = anyMask ? Auroc.pixels(pixels) : Double.NaN;
    double aupro = anyMask ? Aupro.of(pixels) : Double.NaN;
    Map<String, Double> perDefect = new LinkedHashMap<>();
    for (String type : distinctDefects(items)) {
      List<Double> s = new ArrayList<>();
      List<Boolean> l = new ArrayList<>();
      for (int i = 0; i < items.size(); i++) {
        MvtecDataset.TestItem it = items.get(i);
        if (!it.defective() || it.defectType().equals(type)) {
          s.add(scores[i]);
          l.add(it.defective());
        }
      }
      double[] ss = s.stream().mapToDouble(Double::doubleValue).toArray();
      boolean[] ll = new boolean[l.size()];
      for (int i = 0; i < ll.length; i++) {
        ll[i] = l.get(i);
      }
      perDefect.put(type, Auroc.image(ss, ll));
    }
    Calibration cal = Calibrator.fromNormalScores(heldScores, options.quantile(),
        ScoreSettings.of(config));
    return new MethodResult(name, scores, maps, summary, pixelAuroc, aupro, perDefect,
        cal.threshold(), source, AtThreshold.of(scores, labels, cal.threshold()), heldScores);
  }

  private static List<String> distinctDefects(List<MvtecDataset.TestItem> items) {
    List<String> types = new ArrayList<>();
    for (MvtecDataset.TestItem it : items) {
      if (it.defective() && !types.contains(it.defectType())) {
        types.add(it.defectType());
      }
    }
    return types;
  }

  private static DecodedImage decode(ImageDecoder decoder, Path file) throws IOException {
    try {
      return decoder.decode(file);
    } catch (RejectedInputException e) {
      throw new IOException(file + ": " + e.reason() + ": " + e.detail(), e);
    }
  }
}
