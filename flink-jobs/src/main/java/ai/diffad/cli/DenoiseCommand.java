package ai.diffad.cli;

import ai.diffad.config.DenoiseMode;
import ai.diffad.config.EngineConfig;
import ai.diffad.denoise.run.DenoiseRun;
import ai.diffad.denoise.run.InputFiles;
import ai.diffad.denoise.run.RunSummary;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.net.Networks;
import ai.djl.engine.Engine;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Removes Gaussian noise: sigma maps to a diffusion step, the model takes it from there. */
@Command(name = "denoise", mixinStandardHelpOptions = true,
    description = {"Denoise images with the model (sigma -> step t with sigma_equiv(t) = sigma).",
        "Outputs mirror the inputs under --out with their format, size, channels and bit depth."})
final class DenoiseCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--model", required = true, description = "Model directory (e.g. trained with natural-gray.yaml).")
  Path model;

  @Option(names = "--input", required = true, arity = "1..*", description = "Image files or folders (recursive).")
  List<Path> inputs;

  @Option(names = "--out", required = true, description = "Output folder.")
  Path out;

  @Option(names = "--sigma", defaultValue = "auto", description = "Noise sigma on the 0-255 scale, or auto to estimate it per image (default: ${DEFAULT-VALUE}).")
  String sigma;

  @Option(names = "--mode", defaultValue = "mmse", converter = EnumConverters.Mode.class,
      description = "mmse (one network call, best PSNR) or sample (the reverse chain, sharper texture) (default: ${DEFAULT-VALUE}).")
  DenoiseMode mode;

  @Option(names = "--steps", description = "Network calls in sample mode (default 10).")
  Integer steps;

  @Option(names = "--seed", description = "Seed of sample mode (default 0).")
  Long seed;

  @Option(names = "--batch", description = "Tiles per network call (default 8).")
  Integer batch;

  @Option(names = "--tile", description = "Tile side (default: the model's training size).")
  Integer tile;

  @Override
  public Integer call() throws Exception {
    Double s = null;
    if (!sigma.equalsIgnoreCase("auto")) {
      try {
        s = Double.parseDouble(sigma);
      } catch (NumberFormatException e) {
        throw new ParameterException(spec.commandLine(), "--sigma: must be auto or a number >= 0, got '" + sigma + "'");
      }
      if (!(s >= 0) || !Double.isFinite(s)) {
        throw new ParameterException(spec.commandLine(), "--sigma: must be auto or a number >= 0, got '" + sigma + "'");
      }
    }
    EngineConfig d = EngineConfig.defaults();
    try (LoadedModel m = ModelArtifact.load(model, Engine.getInstance().defaultDevice(), Networks::create)) {
      int stepsValue = steps != null ? steps : d.steps();
      EngineConfig cfg = d.toBuilder().tStar(Math.max(d.tStar(), stepsValue)).steps(stepsValue)
          .seed(seed).batchSize(batch).tileSize(tile).build();
      List<InputFiles.Input> files = InputFiles.expand(inputs);
      RunSummary r;
      try (ProgressBar pb = Cli.bar("denoise", files.size())) {
        r = new DenoiseRun(m, cfg, mode, s, out).run(files, f -> pb.step());
      }
      spec.commandLine().getOut().println("diffad denoise: " + r.line("denoised") + "; records in "
          + out.resolve(DenoiseRun.RESULTS));
      spec.commandLine().getOut().flush();
    }
    return DiffadCli.EXIT_OK;
  }
}
