package ai.diffad.denoise.run;

import ai.diffad.config.EngineConfig;
import ai.diffad.denoise.calibrate.Calibration;
import ai.diffad.denoise.engine.AnomalyEngine;
import ai.diffad.denoise.io.DecodedImage;
import ai.diffad.denoise.io.ImageDecoder;
import ai.diffad.denoise.io.ImageEncoder;
import ai.diffad.denoise.io.SensorReader;
import ai.diffad.denoise.io.SensorSeries;
import ai.diffad.denoise.io.SensorStats;
import ai.diffad.denoise.record.JsonLines;
import ai.diffad.denoise.record.RejectReason;
import ai.diffad.denoise.record.RejectedInputException;
import ai.diffad.denoise.record.Rejection;
import ai.diffad.denoise.record.ScoreRecord;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.artifact.ModelManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Scores many inputs into {@code scores.jsonl} and {@code rejected.jsonl}: every input yields
 * exactly one result or one rejection record, and no single input stops the run. Images are decoded
 * at the edge (pixel cap from the header), converted to the model's channels, grouped so their
 * tiles share network batches, and scored; with maps on, the raw map (16-bit PNG, value = map
 * clipped to [0, mapScale]) and a heatmap overlay are written under {@code maps/} and
 * {@code overlays/}, mirroring the input tree.
 */
public final class ScoreRun {
  /** Results file name. */
  public static final String SCORES = "scores.jsonl";
  /** Rejections file name. */
  public static final String REJECTED = "rejected.jsonl";

  private final LoadedModel model;
  private final AnomalyEngine engine;
  private final EngineConfig config;
  private final Calibration calibration;
  private final Path out;
  private final boolean maps;
  private final int group;
  private final ImageDecoder decoder;
  private final boolean sensorModel;
  private final ScoreRecord.ModelRef modelRef;

  /**
   * @param model the loaded model (not closed here)
   * @param config engine settings
   * @param calibration the model's calibration for these settings, or null
   * @param out output folder
   * @param maps whether to write maps and overlays
   */
  public ScoreRun(LoadedModel model, EngineConfig config, Calibration calibration, Path out,
      boolean maps) {
    this.model = Objects.requireNonNull(model, "model");
    this.config = Objects.requireNonNull(config, "config");
    this.engine = new AnomalyEngine(model, config);
    this.calibration = calibration;
    this.out = Objects.requireNonNull(out, "out");
    this.maps = maps;
    this.group = Math.max(1, config.batchSize());
    this.decoder = ImageDecoder.of(config);
    ModelManifest m = model.manifest();
    this.sensorModel = "NCL".equals(m.input().layout());
    this.modelRef = new ScoreRecord.ModelRef(m.name(), m.fingerprint());
  }

  /** Runs over the inputs; {@code progress} is told after each input (may be null). */
  public RunSummary run(List<InputFiles.Input> inputs, Consumer<InputFiles.Input> progress)
      throws IOException {
    long t0 = System.nanoTime();
    Files.createDirectories(out);
    Files.deleteIfExists(out.resolve(SCORES));
    Files.deleteIfExists(out.resolve(REJECTED));
    Counts counts = new Counts();
    try (JsonLines scores = JsonLines.append(out.resolve(SCORES));
        JsonLines rejected = JsonLines.append(out.resolve(REJECTED))) {
      Sink sink = new Sink(scores, rejected, counts);
      List<Pending> pending = new ArrayList<>();
      for (InputFiles.Input in : inputs) {
        counts.inputs++;
        if (sensorModel) {
          scoreSeries(in, sink);
        } else {
          Pending p = decode(in, sink);
          if (p != null) {
            pending.add(p);
          }
          if (pending.size() >= group) {
            flush(pending, sink);
          }
        }
        if (progress != null) {
          progress.accept(in);
        }
      }
      flush(pending, sink);
    }
    return new RunSummary(counts.inputs, counts.scored, counts.rejected, counts.anomalous,
        counts.byReason, (System.nanoTime() - t0) / 1e9);
  }

  private record Pending(InputFiles.Input input, DecodedImage image, double decodeMs) {}

  private Pending decode(InputFiles.Input in, Sink sink) throws IOException {
    long t = System.nanoTime();
    try {
      DecodedImage img = decoder.decode(in.file());
      int c = model.manifest().input().channels();
      return new Pending(in, img.withChannels(c), (System.nanoTime() - t) / 1e6);
    } catch (RejectedInputException e) {
      sink.reject(in, e.reason(), e.detail());
      return null;
    } catch (RuntimeException e) {
      sink.reject(in, RejectReason.PROCESSING_FAILED, String.valueOf(e.getMessage()));
      return null;
    }
  }

  private void flush(List<Pending> pending, Sink sink) throws IOException {
    if (pending.isEmpty()) {
      return;
    }
    List<AnomalyEngine.ImageInput> batch = new ArrayList<>(pending.size());
    for (Pending p : pending) {
      DecodedImage d = p.image();
      batch.add(new AnomalyEngine.ImageInput(p.input().id(), d.data(), d.channels(), d.height(), d.width()));
    }
    List<AnomalyEngine.ScoreResult> results;
    try {
      results = engine.scoreAll(batch);
    } catch (RuntimeException batchFailure) {
      // One input must not sink the others: score them one by one to find the culprit.
      results = new ArrayList<>();
      for (int i = 0; i < batch.size(); i++) {
        try {
          results.add(engine.scoreAll(List.of(batch.get(i))).get(0));
        } catch (RuntimeException e) {
          results.add(null);
          sink.reject(pending.get(i).input(), RejectReason.PROCESSING_FAILED, String.valueOf(e.getMessage()));
        }
      }
    }
    for (int i = 0; i < pending.size(); i++) {
      AnomalyEngine.ScoreResult r = results.get(i);
      if (r == null) {
        continue;
      }
      Pending p = pending.get(i);
      Map<String, String> outputs = new LinkedHashMap<>();
      try {
        if (maps) {
          outputs.putAll(writeMaps(p, r));
        }
      } catch (IOException | RuntimeException e) {
        sink.reject(p.input(), RejectReason.PROCESSING_FAILED, "writing the map failed: " + e.getMessage());
        continue;
      }
      Map<String, Double> timings = new LinkedHashMap<>();
      timings.put("decode", round(p.decodeMs()));
      timings.put("model", round(r.modelMs()));
      timings.put("total", round(p.decodeMs() + r.totalMs()));
      sink.score(p.input(), record(p.input().id(), "image", r.score(), outputs, timings, null));
    }
    pending.clear();
  }

  private Map<String, String> writeMaps(Pending p, AnomalyEngine.ScoreResult r) throws IOException {
    Path rel = InputFiles.withExtension(p.input().relative(), ".png");
    Path mapFile = out.resolve("maps").resolve(rel);
    Path overlayFile = out.resolve("overlays").resolve(rel);
    ImageEncoder.writeAtomically(mapFile,
        ImageEncoder.encodeMap(r.map(), r.height(), r.width(), ImageEncoder.DEFAULT_MAP_SCALE));
    ImageEncoder.writeAtomically(overlayFile,
        ImageEncoder.encodeOverlay(r.map(), r.height(), r.width(), p.image().data(), p.image().channels()));
    Map<String, String> o = new LinkedHashMap<>();
    o.put("map", mapFile.toString());
    o.put("overlay", overlayFile.toString());
    return o;
  }

  private void scoreSeries(InputFiles.Input in, Sink sink) throws IOException {
    long t0 = System.nanoTime();
    ModelManifest m = model.manifest();
    try {
      SensorReader reader = SensorReader.of(config, m.input().size());
      SensorSeries s = reader.read(in.file());
      s.requireChannels(m.input().channels());
      double[] mean = m.input().channelMean();
      double[] std = m.input().channelStd();
      SensorStats stats = mean == null ? SensorStats.of(List.of(s)) : new SensorStats(mean, std);
      float[] values = stats.normalise(s);
      double decodeMs = (System.nanoTime() - t0) / 1e6;
      AnomalyEngine.SeriesScoreResult r = engine.scoreSeries(values, s.channels(), s.length(), in.id());
      Map<String, Double> timings = new LinkedHashMap<>();
      timings.put("decode", round(decodeMs));
      timings.put("model", round(r.modelMs()));
      timings.put("total", round(decodeMs + r.totalMs()));
      sink.score(in, record(in.id(), "series", r.score(), Map.of(), timings, r.windows().scores()));
    } catch (RejectedInputException e) {
      sink.reject(in, e.reason(), e.detail());
    } catch (RuntimeException e) {
      sink.reject(in, RejectReason.PROCESSING_FAILED, String.valueOf(e.getMessage()));
    }
  }

  private ScoreRecord record(String id, String kind, double score, Map<String, String> outputs,
      Map<String, Double> timings, double[] windows) {
    Double normalized = null;
    Double threshold = null;
    Boolean anomalous = null;
    if (calibration != null) {
      normalized = calibration.normalize(score);
      threshold = calibration.threshold();
      anomalous = calibration.isAnomalous(score);
    }
    return new ScoreRecord(id, null, kind, Instant.now().toString(), score, normalized, threshold,
        anomalous, config.tStar(), config.sampler().spelling(), config.steps(),
        config.noise().kind().spelling(), modelRef, outputs, timings, windows);
  }

  private static double round(double ms) {
    return Math.round(ms * 100) / 100.0;
  }

  private static final class Counts {
    int inputs;
    int scored;
    int rejected;
    int anomalous;
    final Map<String, Integer> byReason = new HashMap<>();
  }

  private static final class Sink {
    final JsonLines scores;
    final JsonLines rejected;
    final Counts counts;

    Sink(JsonLines scores, JsonLines rejected, Counts counts) {
      this.scores = scores;
      this.rejected = rejected;
      this.counts = counts;
    }

    void score(InputFiles.Input in, ScoreRecord r) throws IOException {
      scores.write(r);
      counts.scored++;
      if (Boolean.TRUE.equals(r.anomalous())) {
        counts.anomalous++;
      }
    }

    void reject(InputFiles.Input in, RejectReason reason, String detail) throws IOException {
      rejected.write(Rejection.of(in.id(), null, reason, detail));
      counts.rejected++;
      counts.byReason.merge(reason.name(), 1, Integer::sum);
    }
  }
}
