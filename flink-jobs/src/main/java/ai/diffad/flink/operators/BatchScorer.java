package ai.diffad.flink.operators;

import ai.diffad.config.EngineConfig;
import ai.diffad.denoise.calibrate.Calibration;
import ai.diffad.denoise.engine.AnomalyEngine;
import ai.diffad.denoise.record.RejectReason;
import ai.diffad.denoise.record.Rejection;
import ai.diffad.denoise.record.ScoreRecord;
import ai.diffad.flink.feed.DecodedInput;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.artifact.ModelManifest;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Scores a batch of decoded inputs with the engine and turns each into its one result or
 * rejection record, like {@code diffad score} does for files: images of a batch share network
 * batches ({@link AnomalyEngine#scoreAll}); if the batch fails, its images are scored one by one
 * so that only the culprit is rejected (PROCESSING_FAILED). Series are scored one at a time.
 * Plain Java (no Flink), one instance per thread, like the model it borrows.
 */
public final class BatchScorer {
  private final AnomalyEngine engine;
  private final EngineConfig config;
  private final Calibration calibration;
  private final ScoreRecord.ModelRef modelRef;
  private final ImageOutputs images;

  /**
   * @param model the loaded model (borrowed; the caller closes it)
   * @param config engine settings
   * @param calibration the model's calibration for these settings, or null
   */
  public BatchScorer(LoadedModel model, EngineConfig config, Calibration calibration) {
    this(model, config, calibration, null);
  }

  /**
   * @param model the loaded model (borrowed; the caller closes it)
   * @param config engine settings
   * @param calibration the model's calibration for these settings, or null
   * @param images per-image files to write (maps, denoised), or null for none
   */
  public BatchScorer(LoadedModel model, EngineConfig config, Calibration calibration,
      ImageOutputs images) {
    this.images = images != null && images.any() ? images : null;
    this.engine = new AnomalyEngine(model, config);
    this.config = config;
    this.calibration = calibration;
    ModelManifest m = model.manifest();
    this.modelRef = new ScoreRecord.ModelRef(m.name(), m.fingerprint());
  }

  /** Scores {@code items}; each yields exactly one call of {@code results} or {@code rejections}. */
  public void score(DecodedInput[] items, Consumer<ScoreRecord> results,
      Consumer<Rejection> rejections) {
    List<DecodedInput> images = new ArrayList<>();
    for (DecodedInput d : items) {
      if (d.isSeries()) {
        scoreSeries(d, results, rejections);
      } else {
        images.add(d);
      }
    }
    if (!images.isEmpty()) {
      scoreImages(images, results, rejections);
    }
  }

  private void scoreImages(List<DecodedInput> images, Consumer<ScoreRecord> results,
      Consumer<Rejection> rejections) {
    List<AnomalyEngine.ScoreResult> out;
    try {
      out = engine.scoreAll(images.stream().map(BatchScorer::imageInput).toList());
    } catch (RuntimeException batchFailure) {
      out = new ArrayList<>();
      for (DecodedInput d : images) {
        try {
          out.add(engine.scoreAll(List.of(imageInput(d))).get(0));
        } catch (RuntimeException e) {
          out.add(null);
          rejections.accept(failed(d, e));
        }
      }
    }
    for (int i = 0; i < images.size(); i++) {
      AnomalyEngine.ScoreResult r = out.get(i);
      if (r != null) {
        DecodedInput d = images.get(i);
        Map<String, String> outputs = new LinkedHashMap<>();
        if (this.images != null) {
          try {
            outputs.putAll(this.images.write(d, r));
          } catch (IOException | RuntimeException e) {
            rejections.accept(Rejection.of(d.id(), d.source(), RejectReason.PROCESSING_FAILED,
                "writing the map or denoised image failed: " + e.getMessage()));
            continue;
          }
        }
        results.accept(record(d, r.score(), r.modelMs(), r.totalMs(), null, outputs));
      }
    }
  }

  private void scoreSeries(DecodedInput d, Consumer<ScoreRecord> results,
      Consumer<Rejection> rejections) {
    AnomalyEngine.SeriesScoreResult r;
    try {
      r = engine.scoreSeries(d.data(), d.channels(), d.width(), d.id());
    } catch (RuntimeException e) {
      rejections.accept(failed(d, e));
      return;
    }
    results.accept(record(d, r.score(), r.modelMs(), r.totalMs(), r.windows().scores(),
        new LinkedHashMap<>()));
  }

  private static AnomalyEngine.ImageInput imageInput(DecodedInput d) {
    return new AnomalyEngine.ImageInput(d.id(), d.data(), d.channels(), d.height(), d.width());
  }

  private static Rejection failed(DecodedInput d, RuntimeException e) {
    return Rejection.of(d.id(), d.source(), RejectReason.PROCESSING_FAILED,
        String.valueOf(e.getMessage()));
  }

  private ScoreRecord record(DecodedInput d, double score, double modelMs, double totalMs,
      double[] windows, Map<String, String> outputs) {
    Double normalized = null;
    Double threshold = null;
    Boolean anomalous = null;
    if (calibration != null) {
      normalized = calibration.normalize(score);
      threshold = calibration.threshold();
      anomalous = calibration.isAnomalous(score);
    }
    // Mutable maps: Flink copies the record between operators with Kryo, which cannot rebuild
    // the JDK's immutable collections.
    Map<String, Double> timings = new LinkedHashMap<>();
    timings.put("decode", round(d.decodeMs()));
    timings.put("model", round(modelMs));
    timings.put("total", round(d.decodeMs() + totalMs));
    return new ScoreRecord(d.id(), d.source(), d.kind(), Instant.now().toString(), score,
        normalized, threshold, anomalous, config.tStar(), config.sampler().spelling(),
        config.steps(), config.noise().kind().spelling(), modelRef, outputs, timings,
        windows);
  }

  private static double round(double ms) {
    return Math.round(ms * 100) / 100.0;
  }
}
