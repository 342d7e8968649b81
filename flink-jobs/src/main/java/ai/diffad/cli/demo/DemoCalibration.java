package ai.diffad.cli.demo;

import ai.diffad.config.EngineConfig;
import ai.diffad.denoise.calibrate.Calibration;
import ai.diffad.denoise.calibrate.CalibrationStore;
import ai.diffad.denoise.calibrate.Calibrator;
import ai.diffad.denoise.calibrate.ScoreSettings;
import ai.diffad.denoise.io.DecodedImage;
import ai.diffad.denoise.io.ImageDecoder;
import ai.diffad.denoise.record.DecodedInput;
import ai.diffad.denoise.record.RejectedInputException;
import ai.diffad.denoise.run.Outcome;
import ai.diffad.denoise.run.Scorer;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.net.Networks;
import ai.djl.engine.Engine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Calibration on the held-out normal images: their scores' {@link #QUANTILE} quantile becomes the
 * model's threshold (calibration.json), so that the streaming job's records carry
 * {@code anomalous}.
 */
public final class DemoCalibration {
  /** Quantile of the held-out normal scores taken as the threshold. */
  public static final double QUANTILE = 0.99;

  private DemoCalibration() {}

  /**
   * Phase 3: scores the held-out normal images under {@code calibration} as the streaming job would
   * (decoded from their PNGs, ids relative to the output folder, so the engine's per-id noise and
   * hence the threshold do not depend on where the folder is), writes their scores.csv, learns the
   * quantile threshold and writes it into the model.
   */
  public static Calibration run(Path modelDir, EngineConfig engine, Path calibration, DemoData data,
      DemoLog log) throws IOException {
    log.phase(3, String.format(Locale.ROOT, "calibrating on %d held-out normal images: threshold = their"
        + " %.2f quantile -> %s", data.normalCount(), QUANTILE,
        DemoLog.show(modelDir.resolve(CalibrationStore.FILE))));
    Path normal = data.normals();
    List<Path> files;
    try (var s = Files.list(normal)) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".png")).sorted().toList();
    }
    ImageDecoder decoder = ImageDecoder.of(engine);
    double[] scores = new double[files.size()];
    StringBuilder csv = new StringBuilder("id,score\n");
    try (LoadedModel m = ModelArtifact.load(modelDir, Engine.getInstance().defaultDevice(), Networks::create);
        Scorer scorer = new Scorer(m, engine, null, null)) {
      int c = m.manifest().input().channels();
      int group = Math.max(1, engine.batchSize());
      for (int from = 0; from < files.size(); from += group) {
        List<DecodedInput> batch = new ArrayList<>();
        for (Path f : files.subList(from, Math.min(files.size(), from + group))) {
          DecodedImage d;
          try {
            d = decoder.decode(f).withChannels(c);
          } catch (RejectedInputException e) {
            throw new IOException("cannot decode the calibration image " + f + ": " + e.getMessage(), e);
          }
          String id = calibration.getFileName() + "/" + normal.relativize(f);
          batch.add(new DecodedInput(id, null, DecodedInput.IMAGE, d.data(), d.channels(),
              d.height(), d.width(), 0));
        }
        List<Outcome> results = scorer.score(batch);
        for (int i = 0; i < results.size(); i++) {
          if (!(results.get(i) instanceof Outcome.Scored s)) {
            throw new IOException("the calibration image " + results.get(i).id()
                + " could not be scored: " + ((Outcome.Rejected) results.get(i)).rejection().detail());
          }
          scores[from + i] = s.record().score();
          csv.append(s.id()).append(',')
              .append(String.format(Locale.ROOT, "%.6f", s.record().score())).append('\n');
        }
      }
    }
    Files.writeString(calibration.resolve("scores.csv"), csv.toString());
    Calibration cal = Calibrator.fromNormalScores(scores, QUANTILE, ScoreSettings.of(engine));
    CalibrationStore.write(modelDir, cal);
    log.detail(String.format(Locale.ROOT, "normal scores: min %.4f, median %.4f, max %.4f -> threshold %.4f",
        cal.normalScores().min(), cal.normalScores().median(), cal.normalScores().max(), cal.threshold()));
    return cal;
  }
}
