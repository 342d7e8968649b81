package ai.diffad.cli;

import ai.diffad.config.EngineConfig;
import ai.diffad.config.MapKind;
import ai.diffad.denoise.engine.AnomalyEngine;
import ai.diffad.denoise.engine.AnomalyMapper;
import ai.diffad.denoise.engine.AnomalyMappers;
import ai.diffad.denoise.engine.PixelErrorMapper;
import ai.diffad.denoise.io.DecodedImage;
import ai.diffad.denoise.io.ImageDecoder;
import ai.diffad.denoise.record.RejectedInputException;
import java.util.Optional;
import ai.diffad.denoise.calibrate.Calibration;
import ai.diffad.denoise.calibrate.CalibrationStore;
import ai.diffad.denoise.calibrate.Calibrator;
import ai.diffad.denoise.calibrate.ScoreSettings;
import ai.diffad.denoise.run.InputFiles;
import ai.diffad.denoise.run.Outcome;
import ai.diffad.denoise.run.RunSummary;
import ai.diffad.denoise.run.ScoreRun;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.net.Networks;
import ai.djl.engine.Engine;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Learns the score normalisation and threshold on normal data (a quantile of their scores), or the
 * F1-optimal threshold when labelled anomalous validation data are given too; writes
 * {@code calibration.json} into the model directory, valid for the engine settings used.
 */
@Command(name = "calibrate", mixinStandardHelpOptions = true,
    description = {"Calibrate a model on normal data: score normalisation and threshold.",
        "Writes MODEL/calibration.json (and the scores used under MODEL/calibration/)."})
final class CalibrateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--model", required = true, description = "Model directory.")
  Path model;

  @Option(names = "--data", required = true, arity = "1..*", description = "Normal inputs: files or folders (recursive).")
  List<Path> data;

  @Option(names = "--anomalous", arity = "1..*", description = "Labelled anomalous validation inputs: the threshold becomes F1-optimal.")
  List<Path> anomalous;

  @Option(names = "--quantile", defaultValue = "0.99", description = "Quantile of normal scores used as threshold (default: ${DEFAULT-VALUE}).")
  double quantile;

  @Option(names = "--fit-data", arity = "1..*", description = {"Normal images a map learns from"
      + " (--map knn: its bank of normal features), saved in the model directory with its SHA-256"
      + " and used by score, stream and batch. Give the training images, not the --data ones."})
  List<Path> fitData;

  @Option(names = "--fit-size", defaultValue = "0", description = "Vectors the k-NN bank keeps"
      + " (default 0: 16384).")
  int fitSize;

  @Mixin EngineOptions engineOptions;

  @Override
  public Integer call() throws Exception {
    if (!(quantile > 0 && quantile <= 1)) {
      throw new ai.diffad.config.ConfigException("--quantile", "must be in (0, 1], got " + quantile);
    }
    PrintWriter o = spec.commandLine().getOut();
    LoadedModel loaded = load();
    EngineConfig cfg;
    try {
      cfg = engineOptions.build(loaded.manifest().config());
      if (fitMap(loaded, cfg, o)) {
        // The manifest now lists the new state file: load again so it is verified and served.
        loaded.close();
        loaded = load();
      }
    } catch (IOException | RuntimeException e) {
      loaded.close();
      throw e;
    }
    try (LoadedModel m = loaded) {
      double[] normal = scores(m, cfg, data, model.resolve("calibration").resolve("normal"), "normal");
      Calibration cal;
      if (anomalous == null || anomalous.isEmpty()) {
        cal = Calibrator.fromNormalScores(normal, quantile, ScoreSettings.of(cfg));
      } else {
        double[] bad = scores(m, cfg, anomalous, model.resolve("calibration").resolve("anomalous"), "anomalous");
        double[] all = new double[normal.length + bad.length];
        boolean[] labels = new boolean[all.length];
        System.arraycopy(normal, 0, all, 0, normal.length);
        System.arraycopy(bad, 0, all, normal.length, bad.length);
        for (int i = normal.length; i < all.length; i++) {
          labels[i] = true;
        }
        cal = Calibrator.fromLabelled(all, labels, ScoreSettings.of(cfg));
      }
      Path file = CalibrationStore.write(model, cal);
      o.printf(Locale.ROOT, "diffad calibrate: %s threshold %.6g from %d normal scores (min %.6g, median %.6g, max %.6g) -> %s%n",
          cal.method().spelling(), cal.threshold(), cal.normalScores().count(), cal.normalScores().min(),
          cal.normalScores().median(), cal.normalScores().max(), file);
      o.flush();
    }
    return DiffadCli.EXIT_OK;
  }

  /**
   * For a map that learns from normal data: fits it on --fit-data and saves its state into the
   * model directory, or checks that the model already has it.
   *
   * @return whether state was written (the model must then be loaded again)
   */
  private boolean fitMap(LoadedModel m, EngineConfig cfg, PrintWriter o) throws IOException {
    Optional<AnomalyMappers.Fitter> fitter = AnomalyMappers.fitter(m, cfg, fitSize);
    if (fitter.isEmpty()) {
      if (fitData != null) {
        throw new ai.diffad.config.ConfigException("--fit-data", "map " + cfg.map().kind().spelling()
            + " learns nothing from normal data; --fit-data is for --map knn");
      }
      return false;
    }
    AnomalyMappers.Fitter f = fitter.get();
    if (fitData == null || fitData.isEmpty()) {
      for (String file : f.files()) {
        if (m.readFile(file).isEmpty()) {
          throw new ai.diffad.config.ConfigException("--fit-data", "map "
              + cfg.map().kind().spelling() + " learns from normal images and model "
              + m.manifest().name() + " has no " + file + " yet: give --fit-data DIR (for example"
              + " the training images)");
        }
      }
      return false;
    }
    List<InputFiles.Input> files = InputFiles.expand(fitData);
    ImageDecoder decoder = ImageDecoder.of(cfg);
    int channels = m.manifest().input().channels();
    int added = 0;
    try (AnomalyEngine tiler = new AnomalyEngine(m, cfg,
        new PixelErrorMapper(MapKind.L1, null));
        ProgressBar pb = Cli.bar("fit " + cfg.map().kind().spelling(), files.size())) {
      int side = tiler.tiler().tileSize();
      for (InputFiles.Input in : files) {
        try {
          DecodedImage img = decoder.decode(in.file()).withChannels(channels);
          AnomalyEngine.ImageInput input = new AnomalyEngine.ImageInput(in.id(), img.data(),
              img.channels(), img.height(), img.width());
          f.add(input, tiler.tiles(input), channels, side, side);
          added++;
        } catch (RejectedInputException e) {
          spec.commandLine().getErr().println("diffad calibrate: --fit-data " + in.id()
              + " skipped: " + e.reason() + " " + e.detail());
        }
        pb.step();
      }
    }
    if (added == 0) {
      throw new ai.diffad.config.ConfigException("--fit-data", "no image could be read from "
          + fitData);
    }
    java.util.Map<String, byte[]> bytes;
    java.util.Map<String, String> backbones;
    try (AnomalyMapper mapper = f.build()) {
      bytes = f.bytes();
      backbones = f.backbones();
    }
    for (java.util.Map.Entry<String, byte[]> e : bytes.entrySet()) {
      ModelArtifact.putFile(model, e.getKey(), e.getValue());
      if (backbones.containsKey(e.getKey())) { // the backbone's name and SHA-256 in model.json
        ModelArtifact.recordBackbone(model, e.getKey(), backbones.get(e.getKey()));
      }
      o.printf(Locale.ROOT, "diffad calibrate: %s map fitted on %d normal images -> %s (%d bytes,"
          + " SHA-256 in %s)%n", cfg.map().kind().spelling(), added, model.resolve(e.getKey()),
          e.getValue().length, ModelArtifact.MANIFEST);
    }
    o.flush();
    return true;
  }

  private LoadedModel load() {
    return ModelArtifact.load(model, Engine.getInstance().defaultDevice(), Networks::create);
  }

  private double[] scores(LoadedModel m, EngineConfig cfg, List<Path> paths, Path out, String what)
      throws IOException {
    List<InputFiles.Input> files = InputFiles.expand(paths);
    RunSummary s;
    List<Double> v = new ArrayList<>();
    try (ProgressBar pb = Cli.bar("calibrate " + what, files.size())) {
      s = new ScoreRun(m, cfg, null, out, false).run(files, f -> pb.step(), o -> {
        if (o instanceof Outcome.Scored scored) {
          v.add(scored.record().score());
        }
      });
    }
    if (s.rejected() > 0) {
      spec.commandLine().getErr().println("diffad calibrate: " + s.rejected() + " " + what
          + " inputs rejected, see " + out.resolve(ScoreRun.REJECTED));
    }
    if (v.isEmpty()) {
      throw new IllegalStateException("no " + what + " input could be scored (" + s.line("scored") + ")");
    }
    return v.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
