package ai.diffad.cli;

import ai.diffad.config.ConfigException;
import ai.diffad.config.EngineConfig;
import ai.diffad.evaluation.data.MvtecDataset;
import ai.diffad.evaluation.run.MvtecEvaluation;
import ai.diffad.evaluation.run.MvtecReport;
import ai.diffad.evaluation.run.Progress;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.net.Networks;
import ai.djl.engine.Engine;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Measures a model on a benchmark dataset with baselines in the same run; writes report.json,
 * scores.csv and report.html (with plots) into the output folder.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = {"Evaluate a model on a benchmark dataset, with baselines in the same run.",
        "Writes DIR/report.json, DIR/scores.csv, DIR/report.html and the plots it shows."})
final class EvaluateCommand implements Callable<Integer> {
  /** The dataset kinds. */
  enum Kind { mvtec, nab, skab, denoise }

  @Spec CommandSpec spec;

  @Option(names = "--model", description = "Model directory (all kinds but skab, which fits one model per series from --config).")
  Path model;

  @Option(names = "--dataset", required = true, description = "Dataset folder (MVTec category, NAB root, SKAB root, or clean images).")
  Path dataset;

  @Option(names = "--kind", required = true, description = "mvtec, nab, skab or denoise.")
  Kind kind;

  @Option(names = "--out", required = true, description = "Report folder.")
  Path out;

  @Option(names = "--every", defaultValue = "1", description = "Evaluate every k-th test item only (default ${DEFAULT-VALUE}: all); stated in the report.")
  int every;

  @Option(names = "--quantile", defaultValue = "0.99", description = "Quantile of held-out normal scores used as threshold (default ${DEFAULT-VALUE}).")
  double quantile;

  @Mixin EngineOptions engineOptions;

  @Override
  public Integer call() throws Exception {
    if (every < 1) {
      throw new ConfigException("--every", "must be >= 1, got " + every);
    }
    if (!(quantile > 0 && quantile <= 1)) {
      throw new ConfigException("--quantile", "must be in (0, 1], got " + quantile);
    }
    if (!Files.isDirectory(dataset)) {
      throw new ConfigException("--dataset", dataset + " is not a folder");
    }
    return switch (kind) {
      case mvtec -> mvtec();
      default -> throw new ConfigException("--kind", kind + " is not available yet; allowed now: [mvtec]");
    };
  }

  private Path requireModel() {
    if (model == null) {
      throw new ConfigException("--model", "is required for --kind " + kind);
    }
    return model;
  }

  private int mvtec() throws Exception {
    PrintWriter o = spec.commandLine().getOut();
    MvtecDataset data = MvtecDataset.open(dataset);
    try (LoadedModel m = ModelArtifact.load(requireModel(), Engine.getInstance().defaultDevice(), Networks::create);
        Bars bars = new Bars()) {
      EngineConfig cfg = engineOptions.build(m.manifest().config().schedule().timesteps());
      MvtecEvaluation.Options opts = new MvtecEvaluation.Options(every, quantile, 128, 2.0);
      MvtecEvaluation.Result r = new MvtecEvaluation(m, cfg, opts).run(data, bars);
      bars.close();
      MvtecReport.write(out, r, m.manifest(), cfg, opts, dataset);
      MvtecEvaluation.MethodResult d = r.diffad();
      MvtecEvaluation.MethodResult b = r.methods().get(1);
      o.printf("diffad evaluate: %d test images (%s), image AUROC %.3f (z-score baseline %.3f), pixel AUROC %.3f (%.3f), "
              + "AUPRO %.3f (%.3f), F1 at the held-out threshold %.3f, F1-max (oracle) %.3f; %.2f images/s%n",
          r.items().size(), every == 1 ? "all" : "every " + every + "th", d.summary().auroc(),
          b.summary().auroc(), d.pixelAuroc(), b.pixelAuroc(), d.aupro(), b.aupro(),
          d.atThreshold().f1(), d.summary().f1Max(), r.imagesPerSecond());
      o.println("report: " + out.resolve(MvtecReport.HTML));
      o.flush();
    }
    return DiffadCli.EXIT_OK;
  }

  /** One progress bar per phase of the evaluation. */
  static final class Bars implements Progress, AutoCloseable {
    private String phase;
    private ProgressBar bar;

    @Override
    public void advanced(String p, long done, long total) {
      if (!p.equals(phase)) {
        close();
        phase = p;
        bar = Cli.bar(p, total);
      }
      bar.stepTo(done);
    }

    @Override
    public void close() {
      if (bar != null) {
        bar.close();
        bar = null;
      }
      phase = null;
    }
  }
}
