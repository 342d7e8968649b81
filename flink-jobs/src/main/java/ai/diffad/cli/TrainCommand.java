package ai.diffad.cli;

import ai.diffad.config.ConfigLoader;
import ai.diffad.config.DiffadConfig;
import ai.diffad.denoise.data.TrainingSets;
import ai.diffad.model.net.Networks;
import ai.diffad.model.train.DetectorObjective;
import ai.diffad.model.train.Trainer;
import ai.diffad.model.train.TrainingResult;
import ai.diffad.model.train.TrainingSet;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Trains a diffusion model from a profile and writes the model directory. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = {"Train a diffusion model from a profile.",
        "--data is a folder of images, an MVTec category (train/good is used) or MNIST idx files,",
        "as the profile's data section says."})
final class TrainCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--config", required = true, description = "Profile (YAML or JSON), e.g. config/profiles/mnist.yaml.")
  Path config;

  @Option(names = "--data", required = true, description = "Training data: image folder, MVTec category or idx folder.")
  Path data;

  @Option(names = "--out", description = "Model directory to write (default: models/<profile name>).")
  Path out;

  @Option(names = "--steps", description = "Override training.steps.")
  Integer steps;

  @Option(names = "--resume", description = "Continue from the newest checkpoint in --out.")
  boolean resume;

  @Option(names = "--seed", description = "Override training.seed (for a spread over seeds).")
  Long seed;

  @Option(names = "--sources", split = ",", description = "Override detector.sources, e.g."
      + " perlin,shuffle,strokes,texture (for ablations).")
  java.util.List<String> sources;

  @Option(names = "--textures", description = "Override detector.textures (a folder of foreign"
      + " texture images for the detector's texture source).")
  Path textures;

  @Option(names = "--no-progress", negatable = false, description = "No progress bar (for logs).")
  boolean noProgress;

  @Override
  public Integer call() throws IOException {
    DiffadConfig cfg = ConfigLoader.load(config);
    if (steps != null) {
      if (steps < 1) {
        throw new ParameterException(spec.commandLine(), "--steps: must be > 0, got " + steps);
      }
      cfg = cfg.withTrainingSteps(steps);
    }
    if (seed != null) {
      cfg = cfg.withTrainingSeed(seed);
    }
    if (sources != null || textures != null) {
      if (cfg.detector() == null) {
        throw new ParameterException(spec.commandLine(), (sources != null ? "--sources" : "--textures")
            + ": the profile has no detector section");
      }
      cfg = cfg.withDetectorSources(sources != null ? sources : cfg.detector().sources(),
          textures != null ? textures.toString() : cfg.detector().textures());
    }
    Path dir = out != null ? out : Path.of("models", cfg.name());
    PrintWriter err = spec.commandLine().getErr();
    long t0 = System.nanoTime();
    TrainingSet set = TrainingSets.open(cfg.data(), data);
    err.printf(Locale.ROOT, "diffad train: %d items from %s (%.1f s), %d steps of batch %d -> %s%n",
        set.size(), set.description(), (System.nanoTime() - t0) / 1e9,
        cfg.training().steps(), cfg.training().batchSize(), dir);
    err.flush();
    DetectorObjective detector = null;
    if (cfg.detector() != null) {
      String folder = cfg.detector().textures();
      TrainingSet foreign = null;
      if (cfg.detector().sources().contains("texture")) {
        foreign = TrainingSets.textures(Path.of(folder), cfg.data().channels(), cfg.data().size());
        err.printf(Locale.ROOT, "diffad train: detector with anomaly sources %s, %d foreign"
            + " textures from %s%n", cfg.detector().sources(), foreign.size(), folder);
      } else {
        err.printf(Locale.ROOT, "diffad train: detector with anomaly sources %s%n",
            cfg.detector().sources());
      }
      err.flush();
      detector = new DetectorObjective(cfg, set, foreign);
    }
    Trainer.Builder builder = Trainer.builder()
        .setConfig(cfg)
        .setData(set)
        .setOutputDir(dir)
        .setNetworkFactory(Networks::create)
        .optResume(resume)
        .optProgressBar(!noProgress);
    if (detector != null) {
      builder.optObjective(detector);
    }
    TrainingResult r = builder.build().run();
    spec.commandLine().getOut().printf(Locale.ROOT,
        "trained steps %d..%d, last loss %.5f, %.3f s/step; model: %s%n",
        r.firstStep(), r.lastStep(), r.lastLoss(), r.secondsPerStep(), r.artifact());
    if (detector != null && r.lastStep() >= r.firstStep()) {
      DetectorObjective.Stats st = detector.stats();
      double stepMs = r.secondsPerStep() * 1000;
      spec.commandLine().getOut().printf(Locale.ROOT,
          "synthesis: %.1f ms per batch on its own thread (%.1f %% of a %.0f ms step); steps"
              + " waited %.2f ms for it (%.2f %%)%n",
          st.synthesisMs(), 100 * st.synthesisMs() / stepMs, stepMs, st.waitMs(),
          100 * st.waitMs() / stepMs);
    }
    spec.commandLine().getOut().flush();
    return DiffadCli.EXIT_OK;
  }
}
