package ai.diffad.cli;

import ai.diffad.config.ConfigException;
import ai.diffad.config.ConfigLoader;
import ai.diffad.config.DiffadConfig;
import ai.diffad.config.EngineConfig;
import ai.diffad.evaluation.baseline.NlmBaseline;
import ai.diffad.evaluation.data.DenoisingSets;
import ai.diffad.evaluation.data.MvtecDataset;
import ai.diffad.evaluation.run.DenoiseEvaluation;
import ai.diffad.evaluation.run.DenoiseReport;
import ai.diffad.evaluation.run.MvtecEvaluation;
import ai.diffad.evaluation.run.SyntheticValidation;
import ai.diffad.evaluation.run.MvtecReport;
import ai.diffad.evaluation.run.NabEvaluation;
import ai.diffad.evaluation.run.NabReport;
import ai.diffad.evaluation.run.NabResultsEvaluation;
import ai.diffad.evaluation.run.NabResultsReport;
import ai.diffad.evaluation.run.SkabEvaluation;
import ai.diffad.evaluation.run.SkabReport;
import ai.diffad.evaluation.run.Progress;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.net.Networks;
import ai.diffad.model.util.ProgressReporter;
import ai.djl.engine.Engine;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
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
  enum Kind { mvtec, nab, skab, denoise, synthetic }

  @Spec CommandSpec spec;

  @Option(names = "--model", description = "Model directory (all kinds but skab, which fits one model per series from --config).")
  Path model;

  @Option(names = "--config", description = "skab: the profile each series' model is trained from, e.g. config/profiles/skab.yaml.")
  Path config;

  @Option(names = "--dataset", required = true, description = "Dataset folder (MVTec category, NAB root, SKAB root, or clean images).")
  Path dataset;

  @Option(names = "--kind", required = true, description = "mvtec, nab, skab, denoise, or synthetic (model selection without test labels:"
      + " the held-out train/good images of an MVTec category with and without synthetic anomalies).")
  Kind kind;

  @Option(names = "--out", required = true, description = "Report folder.")
  Path out;

  @Option(names = "--every", defaultValue = "1", description = "Evaluate every k-th test item only (default ${DEFAULT-VALUE}: all); stated in the report. denoise: applies to diffad sample mode only.")
  int every;

  @Option(names = "--quantile", defaultValue = "0.99", description = "Quantile of held-out normal scores used as threshold (default ${DEFAULT-VALUE}).")
  double quantile;

  @Option(names = "--sigmas", split = ",", defaultValue = "15,25,50", description = "denoise: noise sigmas on the 0-255 scale (default ${DEFAULT-VALUE}).")
  List<Double> sigmas;

  @Option(names = "--modes", split = ",", defaultValue = "mmse,auto,sample", description = "denoise: diffad modes, of mmse, auto (mmse at the estimated sigma), sample (default ${DEFAULT-VALUE}); the noisy input and OpenCV NLM always run.")
  List<String> modes;

  @Option(names = "--sets", split = ",", description = "denoise: sub-folders of --dataset to evaluate, e.g. Set12,BSD68 (default: the sets whose colour matches the model).")
  List<String> sets;

  @Option(names = "--noise-seed", defaultValue = "0", description = "denoise: seed of the added noise (default ${DEFAULT-VALUE}).")
  long noiseSeed;

  @Option(names = "--scores-from", paramLabel = "DIR", description = "nab: score a detector's own results instead of a model: DIR in NAB's layout, <group>/<detector>_<series>.csv with timestamp and anomaly_score columns (e.g. NAB's results/numenta); --model is not used.")
  Path scoresFrom;

  @Option(names = "--threshold", paramLabel = "T|optimise", defaultValue = "optimise", description = "nab --scores-from: rows with anomaly_score >= T are detections, for every profile; optimise (default): per profile the threshold maximising the corpus' raw score, as NAB's optimiser.")
  String threshold;

  @Mixin EngineOptions engineOptions;

  @Mixin OnlineOptions onlineOptions;

  @Option(names = "--nab-smoothing", paramLabel = "ROWS", description = "nab: causal moving"
      + " average of the raw score before its z-score (default: 16, measured on NAB).")
  Integer nabSmoothing;

  @Option(names = "--nab-refractory", paramLabel = "ROWS", description = "nab: rows after an"
      + " alarm in which no other alarm is raised (default: 100, measured on NAB).")
  Integer nabRefractory;

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
    if (scoresFrom != null && kind != Kind.nab) {
      throw new ConfigException("--scores-from", "applies to --kind nab only");
    }
    return switch (kind) {
      case mvtec -> mvtec();
      case denoise -> denoise();
      case nab -> nab();
      case skab -> skab();
      case synthetic -> synthetic();
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
      EngineConfig cfg = engineOptions.build(m.manifest().config());
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

  private int synthetic() throws Exception {
    PrintWriter o = spec.commandLine().getOut();
    try (LoadedModel m = ModelArtifact.load(requireModel(), Engine.getInstance().defaultDevice(), Networks::create);
        Bars bars = new Bars()) {
      EngineConfig cfg = engineOptions.build(m.manifest().config());
      SyntheticValidation.Result r = new SyntheticValidation(m, cfg, 2, 0).run(dataset, bars);
      bars.close();
      java.nio.file.Files.createDirectories(out);
      java.util.Map<String, Object> json = new java.util.LinkedHashMap<>();
      json.put("kind", "synthetic");
      json.put("model", m.manifest().name());
      json.put("model_sha256", m.manifest().fingerprint());
      json.put("held_out_images", r.heldOut());
      json.put("anomalous_copies", r.anomalous());
      json.put("synthetic_image_auroc", r.imageAuroc());
      json.put("synthetic_pixel_auroc", r.pixelAuroc());
      json.put("seconds", r.seconds());
      json.put("engine", cfg);
      ai.diffad.evaluation.report.ReportJson.writeStrict(out.resolve("report.json"), json);
      o.printf(java.util.Locale.ROOT, "diffad evaluate --kind synthetic: %d held-out normal images and %d"
          + " copies with a synthetic anomaly: image AUROC %.3f, pixel AUROC %.3f (%.1f s); no test"
          + " image was used%n", r.heldOut(), r.anomalous(), r.imageAuroc(), r.pixelAuroc(),
          r.seconds());
      o.println("report: " + out.resolve("report.json"));
      o.flush();
    }
    return DiffadCli.EXIT_OK;
  }

  private int denoise() throws Exception {
    PrintWriter o = spec.commandLine().getOut();
    List<DenoiseEvaluation.Method> methods = new ArrayList<>();
    for (String mode : modes) {
      try {
        methods.add(DenoiseEvaluation.Method.ofMode(mode));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("--modes", e.getMessage());
      }
    }
    DenoiseEvaluation.Options opts;
    try {
      opts = new DenoiseEvaluation.Options(sigmas, methods, every, noiseSeed, NlmBaseline.defaults());
    } catch (IllegalArgumentException e) {
      throw new ConfigException("--sigmas/--modes", e.getMessage());
    }
    // OpenCV's NLM gets the thread count the launcher gave the network (DIFFAD_THREADS), so the
    // methods are timed on the same cores.
    Integer threads = Integer.getInteger("ai.djl.pytorch.num_threads");
    if (threads != null && threads > 0) {
      org.bytedeco.opencv.global.opencv_core.setNumThreads(threads);
    }
    try (LoadedModel m = ModelArtifact.load(requireModel(), Engine.getInstance().defaultDevice(), Networks::create);
        Bars bars = new Bars()) {
      DenoisingSets.Selection selection;
      try {
        selection = DenoisingSets.open(dataset, m.manifest().input().channels(), sets == null ? List.of() : sets);
      } catch (java.io.IOException e) {
        throw new ConfigException("--dataset", e.getMessage());
      }
      EngineConfig cfg = engineOptions.build(m.manifest().config());
      DenoiseEvaluation.Result r = new DenoiseEvaluation(m, cfg, opts).run(selection.sets(), bars);
      bars.close();
      String rule = selection.rule() + (selection.skipped().isEmpty() ? "" : "; not evaluated: " + selection.skipped());
      DenoiseReport.write(out, r, m.manifest(), cfg, dataset, rule);
      o.printf("diffad evaluate --kind denoise: %s (%s)%n", r.sets(), rule);
      StringBuilder head = new StringBuilder(String.format("%-10s %6s", "set", "sigma"));
      for (DenoiseEvaluation.Method x : opts.methods()) {
        head.append(String.format(" %18s", x.key() + " PSNR/SSIM"));
      }
      o.println(head);
      for (String set : r.sets().keySet()) {
        for (double s : opts.sigmas()) {
          StringBuilder line = new StringBuilder(String.format("%-10s %6s", set, DenoiseEvaluation.sigmaText(s)));
          for (DenoiseEvaluation.Method x : opts.methods()) {
            DenoiseEvaluation.Cell c = r.cell(set, s, x);
            line.append(String.format(" %11.2f/%.3f", c.psnr(), c.ssim()));
          }
          o.println(line);
        }
      }
      if (every > 1 && methods.contains(DenoiseEvaluation.Method.SAMPLE)) {
        o.println("diffad sample ran on every " + every + "th image of each set");
      }
      o.printf("%.1f s; report: %s%n", r.seconds(), out.resolve(DenoiseReport.HTML));
      o.flush();
    }
    return DiffadCli.EXIT_OK;
  }

  private int nab() throws Exception {
    if (scoresFrom != null) {
      return nabScores();
    }
    PrintWriter o = spec.commandLine().getOut();
    try (LoadedModel m = ModelArtifact.load(requireModel(), Engine.getInstance().defaultDevice(), Networks::create);
        Bars bars = new Bars()) {
      DiffadConfig trained = m.manifest().config();
      // A profile that ships its engine (an imputer's map) is scored with it; else the NAB
      // evaluation's measured settings.
      EngineConfig cfg = engineOptions.build(trained.schedule().timesteps(),
          trained.engine() != null ? trained.engine() : NabEvaluation.defaultEngine());
      NabEvaluation.Options d = NabEvaluation.Options.defaults();
      NabEvaluation.Options options;
      try {
        options = new NabEvaluation.Options(d.scoring(), d.causalStride(), d.causalTail(),
            nabSmoothing != null ? nabSmoothing : d.smoothing(), d.history(),
            nabRefractory != null ? nabRefractory : d.refractory(), d.labelFreeQuantile(),
            d.labelFreeFactor());
      } catch (IllegalArgumentException e) {
        throw new ConfigException(nabSmoothing != null && nabSmoothing < 1 ? "--nab-smoothing"
            : "--nab-refractory", "must be >= 1 (smoothing) or >= 0 (refractory)");
      }
      ai.diffad.config.OnlineConfig online = onlineOptions.build();
      if (online != null) {
        options = options.withOnline(online);
      }
      NabEvaluation.Result r = NabEvaluation.run(m, cfg, options, dataset, bars);
      bars.close();
      NabReport.write(out, r, m.manifest(), cfg, dataset);
      for (NabEvaluation.MethodResult x : r.methods()) {
        o.printf("%-20s NAB standard %.1f (one threshold optimised over the corpus, NAB protocol), "
                + "label-free %.1f; point-wise best F1 %.3f (oracle), point-adjusted F1 %.3f%n",
            x.name(), x.standard().normalised(), x.nabLabelFree(), x.pointwiseBestF1Oracle(),
            x.pointAdjustedF1());
      }
      o.printf("%.1f s; report: %s%n", r.seconds(), out.resolve(NabReport.JSON));
      o.flush();
    }
    return DiffadCli.EXIT_OK;
  }

  /** NAB's scoring of a detector's results folder (--scores-from). */
  private int nabScores() throws Exception {
    PrintWriter o = spec.commandLine().getOut();
    if (!Files.isDirectory(scoresFrom)) {
      throw new ConfigException("--scores-from", scoresFrom + " is not a folder");
    }
    OptionalDouble t;
    if ("optimise".equalsIgnoreCase(threshold.trim()) || "optimize".equalsIgnoreCase(threshold.trim())) {
      t = OptionalDouble.empty();
    } else {
      try {
        t = OptionalDouble.of(Double.parseDouble(threshold.trim()));
      } catch (NumberFormatException e) {
        throw new ConfigException("--threshold", "must be a number or 'optimise', got '" + threshold + "'");
      }
      if (!Double.isFinite(t.getAsDouble())) {
        throw new ConfigException("--threshold", "must be finite, got " + threshold);
      }
    }
    NabResultsEvaluation.Result r;
    try {
      r = NabResultsEvaluation.run(dataset, scoresFrom, t);
    } catch (java.io.IOException e) {
      throw new ConfigException("--scores-from", e.getMessage());
    }
    NabResultsReport.write(out, r, dataset, scoresFrom);
    o.printf(Locale.ROOT, "diffad evaluate --kind nab --scores-from %s: %d series, %s%n", scoresFrom,
        r.corpus().size(), NabResultsReport.thresholdRule(r));
    for (NabResultsEvaluation.ProfileResult p : r.profiles().values()) {
      int[] c = p.counts();
      o.printf(Locale.ROOT, "%-20s NAB %.2f (raw %.4f) at threshold %s: %d windows detected, %d missed, %d false positives%n",
          p.profile().name(), p.normalised(), p.raw(), p.threshold(), c[0], c[1], c[2]);
    }
    o.printf(Locale.ROOT, "%.1f s; report: %s%n", r.seconds(), out.resolve(NabReport.JSON));
    o.flush();
    return DiffadCli.EXIT_OK;
  }

  private int skab() throws Exception {
    if (config == null) {
      throw new ConfigException("--config", "is required for --kind skab (a model is fitted per series from it, e.g. config/profiles/skab.yaml); --model is not used");
    }
    PrintWriter o = spec.commandLine().getOut();
    DiffadConfig profile = ConfigLoader.load(config);
    EngineConfig cfg = engineOptions.build(profile.schedule().timesteps(),
        profile.engine() != null ? profile.engine() : SkabEvaluation.defaultEngine());
    try (Bars bars = new Bars()) {
      SkabEvaluation.Result r = SkabEvaluation.run(profile, cfg, SkabEvaluation.Options.defaults(),
          dataset, out.resolve("models"), bars);
      bars.close();
      SkabReport.write(out, r, profile, dataset);
      o.printf("diffad evaluate --kind skab: %d series, F1 %.3f, FAR %.2f %%, MAR %.2f %% (%s); "
              + "point-adjusted F1 %.3f; training %.0f s%n",
          r.series().size(), r.f1(), 100 * r.far(), 100 * r.mar(), r.options().rule(),
          r.pointAdjustedF1(), r.trainSeconds());
      o.printf("%.1f s; report: %s%n", r.seconds(), out.resolve(SkabReport.JSON));
      o.flush();
    }
    return DiffadCli.EXIT_OK;
  }

  /** One progress bar per phase of the evaluation. */
  static final class Bars implements Progress, AutoCloseable {
    private String phase;
    private ProgressReporter bar;

    @Override
    public void advanced(String p, long done, long total) {
      if (!p.equals(phase)) {
        close();
        phase = p;
        bar = Cli.progress(p, total);
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
