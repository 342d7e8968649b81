package ai.diffad.denoise.run;

import ai.diffad.config.EngineConfig;
import ai.diffad.denoise.calibrate.Calibration;
import ai.diffad.denoise.engine.AnomalyEngine;
import ai.diffad.denoise.record.DecodedInput;
import ai.diffad.denoise.record.RejectReason;
import ai.diffad.denoise.record.Rejection;
import ai.diffad.denoise.record.ScoreRecord;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.artifact.ModelManifest;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one scoring path: turns a batch of decoded inputs into one {@link Outcome} each, in input
 * order. Used by {@code diffad score} and {@code calibrate} (through {@link ScoreRun}), the demo,
 * the streaming job's score operator and the batch job.
 *
 * <p>Images of a batch share network batches ({@link AnomalyEngine#scoreAll}); if the batch fails,
 * its images are scored one by one so that only the culprit is rejected (PROCESSING_FAILED).
 * Series are scored one at a time. Each result record carries the calibration's normalised score,
 * threshold and verdict when a calibration is given, the engine settings, the model's name and
 * fingerprint, the files written ({@link ImageOutputs}) and the timings (decode, model, total).
 * A file that cannot be written turns the input into a rejection, so no record points at a file
 * that is not there.
 *
 * <p>Plain Java (no Flink), one instance per thread, like the model it borrows; owns its engine
 * (close it before the model).
 */
public final class Scorer implements AutoCloseable {
  private final AnomalyEngine engine;
  private final EngineConfig config;
  private final Calibration calibration;
  private final ScoreRecord.ModelRef modelRef;
  private final ImageOutputs outputs;

  /**
   * @param model the loaded model (borrowed; the caller closes it, after this scorer)
   * @param config engine settings
   * @param calibration the model's calibration for these settings, or null
   * @param outputs per-image files to write, or null for none
   */
  public Scorer(LoadedModel model, EngineConfig config, Calibration calibration,
      ImageOutputs outputs) {
    this.engine = new AnomalyEngine(model, config);
    this.config = config;
    this.calibration = calibration;
    this.outputs = outputs != null && outputs.any() ? outputs : null;
    ModelManifest m = model.manifest();
    this.modelRef = new ScoreRecord.ModelRef(m.name(), m.fingerprint());
  }

  /** The engine the scorer runs. */
  public AnomalyEngine engine() {
    return engine;
  }

  /** Scores {@code items}: exactly one outcome per item, in their order. */
  public List<Outcome> score(List<DecodedInput> items) {
    Outcome[] out = new Outcome[items.size()];
    List<Integer> images = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      if (items.get(i).isSeries()) {
        out[i] = scoreSeries(items.get(i));
      } else {
        images.add(i);
      }
    }
    if (!images.isEmpty()) {
      List<DecodedInput> batch = images.stream().map(items::get).toList();
      List<Outcome> scored = scoreImages(batch);
      for (int k = 0; k < images.size(); k++) {
        out[images.get(k)] = scored.get(k);
      }
    }
    return List.of(out);
  }

  private List<Outcome> scoreImages(List<DecodedInput> images) {
    List<AnomalyEngine.ScoreResult> results;
    List<Outcome> failed = new ArrayList<>();
    try {
      results = engine.scoreAll(images.stream().map(Scorer::imageInput).toList());
      images.forEach(d -> failed.add(null));
    } catch (RuntimeException batchFailure) {
      // One input must not sink the others: score them one by one to find the culprit.
      results = new ArrayList<>();
      for (DecodedInput d : images) {
        try {
          results.add(engine.scoreAll(List.of(imageInput(d))).get(0));
          failed.add(null);
        } catch (RuntimeException e) {
          results.add(null);
          failed.add(rejected(d, String.valueOf(e.getMessage())));
        }
      }
    }
    List<Outcome> out = new ArrayList<>(images.size());
    for (int i = 0; i < images.size(); i++) {
      AnomalyEngine.ScoreResult r = results.get(i);
      if (r == null) {
        out.add(failed.get(i));
        continue;
      }
      DecodedInput d = images.get(i);
      Map<String, String> files = new LinkedHashMap<>();
      if (outputs != null) {
        try {
          files.putAll(outputs.write(d, r));
        } catch (IOException | RuntimeException e) {
          out.add(rejected(d, "writing the map or denoised image failed: " + e.getMessage()));
          continue;
        }
      }
      out.add(new Outcome.Scored(record(d, r.score(), r.modelMs(), r.totalMs(), null, files)));
    }
    return out;
  }

  private Outcome scoreSeries(DecodedInput d) {
    AnomalyEngine.SeriesScoreResult r;
    try {
      r = engine.scoreSeries(d.data(), d.channels(), d.width(), d.id());
    } catch (RuntimeException e) {
      return rejected(d, String.valueOf(e.getMessage()));
    }
    return new Outcome.Scored(record(d, r.score(), r.modelMs(), r.totalMs(), r.windows().scores(),
        new LinkedHashMap<>()));
  }

  private static AnomalyEngine.ImageInput imageInput(DecodedInput d) {
    return new AnomalyEngine.ImageInput(d.id(), d.data(), d.channels(), d.height(), d.width());
  }

  private static Outcome rejected(DecodedInput d, String detail) {
    return new Outcome.Rejected(Rejection.of(d.id(), d.source(), RejectReason.PROCESSING_FAILED,
        detail));
  }

  private ScoreRecord record(DecodedInput d, double score, double modelMs, double totalMs,
      double[] windows, Map<String, String> files) {
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
        config.steps(), config.noise().kind().spelling(), modelRef, files, timings, windows);
  }

  private static double round(double ms) {
    return Math.round(ms * 100) / 100.0;
  }

  /** Closes the engine (and the mapper it opened). */
  @Override
  public void close() {
    engine.close();
  }

  @Override
  public String toString() {
    return "Scorer[" + engine + "]";
  }
}
