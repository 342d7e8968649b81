package ai.diffad.denoise.run;

import ai.diffad.config.DataConfig;
import ai.diffad.config.EngineConfig;
import ai.diffad.denoise.calibrate.Calibration;
import ai.diffad.denoise.io.DailyContext;
import ai.diffad.denoise.io.DecodedImage;
import ai.diffad.denoise.io.ImageDecoder;
import ai.diffad.denoise.io.SensorReader;
import ai.diffad.denoise.io.SensorSeries;
import ai.diffad.denoise.io.SensorStats;
import ai.diffad.denoise.record.DecodedInput;
import ai.diffad.denoise.record.JsonLines;
import ai.diffad.denoise.record.RejectReason;
import ai.diffad.denoise.record.RejectedInputException;
import ai.diffad.denoise.record.Rejection;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.artifact.ModelManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Scores many input files into {@code scores.jsonl} and {@code rejected.jsonl}: every input yields
 * exactly one result or one rejection record, and no single input stops the run. Images are decoded
 * at the edge (pixel cap from the header) and converted to the model's channels, series read and
 * normalised with the training statistics; groups of {@code engine.batchSize} inputs go through the
 * one {@link Scorer}, so their tiles share network batches. With maps on, the raw map (16-bit PNG,
 * value = map clipped to [0, mapScale]) and a heatmap overlay are written under {@code maps/} and
 * {@code overlays/} ({@link ImageOutputs}), mirroring the input tree.
 */
public final class ScoreRun {
  /** Results file name. */
  public static final String SCORES = "scores.jsonl";
  /** Rejections file name. */
  public static final String REJECTED = "rejected.jsonl";

  private final LoadedModel model;
  private final EngineConfig config;
  private final Calibration calibration;
  private final Path out;
  private final boolean maps;
  private final int group;
  private final ImageDecoder decoder;
  private final boolean sensorModel;

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
    this.calibration = calibration;
    this.out = Objects.requireNonNull(out, "out");
    this.maps = maps;
    this.group = Math.max(1, config.batchSize());
    this.decoder = ImageDecoder.of(config);
    this.sensorModel = model.manifest().isSeries();
  }

  /** Runs over the inputs; {@code progress} is told after each input (may be null). */
  public RunSummary run(List<InputFiles.Input> inputs, Consumer<InputFiles.Input> progress)
      throws IOException {
    return run(inputs, progress, null);
  }

  /**
   * Runs over the inputs; {@code progress} is told after each input and {@code outcomes} of each
   * input's outcome (either may be null).
   */
  public RunSummary run(List<InputFiles.Input> inputs, Consumer<InputFiles.Input> progress,
      Consumer<Outcome> outcomes) throws IOException {
    long t0 = System.nanoTime();
    Files.createDirectories(out);
    Files.deleteIfExists(out.resolve(SCORES));
    Files.deleteIfExists(out.resolve(REJECTED));
    Counts counts = new Counts();
    Map<String, String> names = new HashMap<>();
    ImageOutputs files = new ImageOutputs(out, maps, false,
        id -> names.getOrDefault(id, id));
    try (JsonLines scores = JsonLines.append(out.resolve(SCORES));
        JsonLines rejected = JsonLines.append(out.resolve(REJECTED));
        Scorer scorer = new Scorer(model, config, calibration, files)) {
      Sink sink = new Sink(scores, rejected, counts, outcomes);
      List<DecodedInput> pending = new ArrayList<>();
      for (InputFiles.Input in : inputs) {
        counts.inputs++;
        names.put(in.id(), in.relative().toString().replace('\\', '/'));
        DecodedInput d = decode(in, sink);
        if (d != null) {
          pending.add(d);
        }
        if (pending.size() >= (sensorModel ? 1 : group)) {
          flush(scorer, pending, sink);
        }
        if (progress != null) {
          progress.accept(in);
        }
      }
      flush(scorer, pending, sink);
    }
    return new RunSummary(counts.inputs, counts.scored, counts.rejected, counts.anomalous,
        counts.byReason, (System.nanoTime() - t0) / 1e9);
  }

  private DecodedInput decode(InputFiles.Input in, Sink sink) throws IOException {
    long t = System.nanoTime();
    ModelManifest m = model.manifest();
    try {
      if (sensorModel) {
        SensorReader reader = SensorReader.of(config, m.input().size());
        SensorSeries s = reader.read(in.file());
        double[] mean = m.input().channelMean();
        SensorStats stats = mean == null ? null : new SensorStats(mean, m.input().channelStd());
        DataConfig data = m.config().data();
        return new DecodedInput(in.id(), null, DecodedInput.SERIES,
            DailyContext.modelInput(data, stats, s), data.channels(), 1, s.length(),
            (System.nanoTime() - t) / 1e6);
      }
      DecodedImage img = decoder.decode(in.file()).withChannels(m.input().channels());
      return new DecodedInput(in.id(), null, DecodedInput.IMAGE, img.data(), img.channels(),
          img.height(), img.width(), (System.nanoTime() - t) / 1e6);
    } catch (RejectedInputException e) {
      sink.accept(new Outcome.Rejected(Rejection.of(in.id(), null, e.reason(), e.detail())));
      return null;
    } catch (RuntimeException e) {
      sink.accept(new Outcome.Rejected(Rejection.of(in.id(), null, RejectReason.PROCESSING_FAILED,
          String.valueOf(e.getMessage()))));
      return null;
    }
  }

  private static void flush(Scorer scorer, List<DecodedInput> pending, Sink sink)
      throws IOException {
    if (pending.isEmpty()) {
      return;
    }
    for (Outcome o : scorer.score(pending)) {
      sink.accept(o);
    }
    pending.clear();
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
    final Consumer<Outcome> listener;

    Sink(JsonLines scores, JsonLines rejected, Counts counts, Consumer<Outcome> listener) {
      this.scores = scores;
      this.rejected = rejected;
      this.counts = counts;
      this.listener = listener;
    }

    void accept(Outcome o) throws IOException {
      if (o instanceof Outcome.Scored s) {
        scores.write(s.record());
        counts.scored++;
        if (Boolean.TRUE.equals(s.record().anomalous())) {
          counts.anomalous++;
        }
      } else if (o instanceof Outcome.Rejected r) {
        rejected.write(r.rejection());
        counts.rejected++;
        counts.byReason.merge(r.rejection().reason().name(), 1, Integer::sum);
      }
      if (listener != null) {
        listener.accept(o);
      }
    }
  }
}
