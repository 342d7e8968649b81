package ai.diffad.cli;

import ai.diffad.config.ConfigLoader;
import ai.diffad.config.DiffadConfig;
import ai.diffad.denoise.data.SyntheticTextures;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.artifact.ModelManifest;
import ai.diffad.model.net.Networks;
import ai.diffad.model.train.DiffusionTrainer;
import ai.diffad.model.train.TrainingResult;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * End to end on a fresh clone with no data: synthesises a texture data set, trains a small model (or
 * reuses the one a previous run trained), and samples from it, then stops.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Run end to end with no data, then stop.",
        "Synthetic textures -> train a small model (reused on later runs) -> sample new textures."})
final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--out", defaultValue = "out/demo", description = "Output folder (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--steps", defaultValue = "400", description = "Training steps (default: ${DEFAULT-VALUE}).")
  int steps;

  static final String PROFILE = String.join("\n",
      "name: demo-textures",
      "schedule: {kind: linear, timesteps: 1000}",
      "prediction: epsilon",
      "network: {kind: unet2d, baseChannels: 16, channelMultipliers: [1, 2, 2], blocksPerLevel: 1, groups: 8}",
      "data: {format: images, channels: 1, size: 32, flips: true}",
      "training: {batchSize: 16, learningRate: 1.0e-3, warmupSteps: 50, emaDecay: 0.99, seed: 3,",
      "           checkpointEvery: 0, logEvery: 10}",
      "");

  @Override
  public Integer call() throws Exception {
    PrintWriter o = spec.commandLine().getOut();
    DiffadConfig cfg = ConfigLoader.parse(PROFILE, false, DiffadConfig.class).withTrainingSteps(steps);
    Path modelDir = out.resolve("model");
    long t0 = System.nanoTime();
    boolean reuse = false;
    if (Files.exists(modelDir.resolve(ModelArtifact.MANIFEST))) {
      ModelManifest m = ModelArtifact.readManifest(modelDir);
      reuse = m.config().equals(cfg);
    }
    if (reuse) {
      o.println("demo: reusing the model trained by an earlier run: " + modelDir);
    } else {
      if (Files.exists(modelDir)) {
        try (var s = Files.walk(modelDir)) {
          s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
      o.println("demo: training a small model on 256 synthetic 32x32 textures (" + steps + " steps)");
      o.flush();
      TrainingResult r = DiffusionTrainer.builder()
          .setConfig(cfg)
          .setData(SyntheticTextures.trainingSet(256, 32, 42))
          .setOutputDir(modelDir)
          .setNetworkFactory(Networks::create)
          .build()
          .run();
      o.printf(Locale.ROOT, "demo: trained in %.0f s, last loss %.4f%n", (System.nanoTime() - t0) / 1e9, r.lastLoss());
    }
    o.flush();
    int code = DiffadCli.commandLine().execute("sample", "--model", modelDir.toString(), "--count", "16",
        "--out", out.resolve("samples").toString(), "--sampler", "ddim", "--steps", "25", "--seed", "1");
    if (code != 0) {
      return code;
    }
    o.printf(Locale.ROOT, "demo: done in %.0f s. Model: %s (model.json, loss.csv); samples: %s%n",
        (System.nanoTime() - t0) / 1e9, modelDir, out.resolve("samples").resolve("grid.png"));
    o.flush();
    return DiffadCli.EXIT_OK;
  }
}
