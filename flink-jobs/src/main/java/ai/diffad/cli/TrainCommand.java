package ai.diffad.cli;

import ai.diffad.config.ConfigLoader;
import ai.diffad.config.DiffadConfig;
import ai.diffad.denoise.data.TrainingSets;
import ai.diffad.model.net.Networks;
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
    Path dir = out != null ? out : Path.of("models", cfg.name());
    PrintWriter err = spec.commandLine().getErr();
    long t0 = System.nanoTime();
    TrainingSet set = TrainingSets.open(cfg.data(), data);
    err.printf(Locale.ROOT, "diffad train: %d items from %s (%.1f s), %d steps of batch %d -> %s%n",
        set.size(), set.description(), (System.nanoTime() - t0) / 1e9,
        cfg.training().steps(), cfg.training().batchSize(), dir);
    err.flush();
    Trainer trainer = Trainer.builder()
        .setConfig(cfg)
        .setData(set)
        .setOutputDir(dir)
        .setNetworkFactory(Networks::create)
        .optResume(resume)
        .optProgressBar(!noProgress)
        .build();
    TrainingResult r = trainer.run();
    spec.commandLine().getOut().printf(Locale.ROOT,
        "trained steps %d..%d, last loss %.5f, %.3f s/step; model: %s%n",
        r.firstStep(), r.lastStep(), r.lastLoss(), r.secondsPerStep(), r.artifact());
    spec.commandLine().getOut().flush();
    return DiffadCli.EXIT_OK;
  }
}
