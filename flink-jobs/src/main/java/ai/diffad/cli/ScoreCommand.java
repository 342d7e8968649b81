package ai.diffad.cli;

import ai.diffad.config.EngineConfig;
import ai.diffad.denoise.calibrate.Calibration;
import ai.diffad.denoise.run.InputFiles;
import ai.diffad.denoise.run.RunSummary;
import ai.diffad.denoise.run.ScoreRun;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.net.Networks;
import ai.djl.engine.Engine;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Scores images or sensor series: one record per input in scores.jsonl or rejected.jsonl. */
@Command(name = "score", mixinStandardHelpOptions = true,
    description = {"Score inputs for anomalies (partial noising to t*, reverse process, error map).",
        "Writes DIR/scores.jsonl and DIR/rejected.jsonl; with --maps also maps/ (16-bit) and overlays/."})
final class ScoreCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--model", required = true, description = "Model directory.")
  Path model;

  @Option(names = "--input", required = true, arity = "1..*", description = "Files or folders (recursive).")
  List<Path> inputs;

  @Option(names = "--out", required = true, description = "Output folder.")
  Path out;

  @Option(names = "--maps", description = "Write the anomaly map (16-bit PNG) and a heatmap overlay per image.")
  boolean maps;

  @Mixin EngineOptions engineOptions;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    try (LoadedModel m = ModelArtifact.load(model, Engine.getInstance().defaultDevice(), Networks::create)) {
      EngineConfig cfg = engineOptions.build(m.manifest().config());
      Calibration cal = Cli.calibrationFor(model, cfg, err);
      List<InputFiles.Input> files = InputFiles.expand(inputs);
      RunSummary s;
      try (ProgressBar pb = Cli.bar("score", files.size())) {
        s = new ScoreRun(m, cfg, cal, out, maps).run(files, f -> pb.step());
      }
      spec.commandLine().getOut().println("diffad score: " + s.line("scored")
          + "; results in " + out.resolve(ScoreRun.SCORES) + ", rejections in " + out.resolve(ScoreRun.REJECTED));
      spec.commandLine().getOut().flush();
    }
    return DiffadCli.EXIT_OK;
  }
}
