package ai.diffad.cli;

import ai.diffad.cli.demo.DemoCalibration;
import ai.diffad.cli.demo.DemoData;
import ai.diffad.cli.demo.DemoLayout;
import ai.diffad.cli.demo.DemoLog;
import ai.diffad.cli.demo.DemoModel;
import ai.diffad.cli.demo.DemoStream;
import ai.diffad.cli.demo.DemoStreamConfig;
import ai.diffad.cli.demo.DemoSummary;
import ai.diffad.config.EngineConfig;
import ai.diffad.config.MapKind;
import ai.diffad.config.SamplerKind;
import ai.diffad.config.ScoreReduction;
import ai.diffad.denoise.calibrate.Calibration;
import ai.diffad.flink.config.StreamConfig;
import ai.diffad.flink.operators.DjlThreads;
import ai.djl.engine.Engine;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * End to end on a fresh clone with no data, in five phases, each a part in
 * {@code ai.diffad.cli.demo}: the synthetic inspection set and its truth ({@link DemoData}), the
 * small model trained once and reused ({@link DemoModel}), calibration on held-out normal images
 * ({@link DemoCalibration}), the streaming job of {@code diffad stream} on a local MiniCluster over
 * a folder a feeder drops the images into over time, two bad files among them ({@link DemoStream},
 * {@link DemoStreamConfig}, {@code Feeder}), stopped once idle; and the summary: counts, precision
 * and recall against the known defects, the highest scores with their heatmaps
 * ({@link DemoSummary}). The output folder is described by {@link DemoLayout}.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"End to end with no data, then stop: a synthetic inspection set (textures",
        "with pasted defects at known positions) -> a small model (trained once,",
        "reused later) -> calibration -> the streaming job over a folder the images",
        "are dropped into over time -> a summary: counts, precision and recall",
        "against the known defects, the top scores with their heatmaps."})
final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs/demo",
      description = "Output folder (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--images", paramLabel = "N", defaultValue = "80",
      description = "Test images dropped into the watched folder, a quarter with a defect (default: ${DEFAULT-VALUE}).")
  int images;

  @Option(names = "--fresh", description = "Retrain the model even if an earlier run left one.")
  boolean fresh;

  @Option(names = "--train-steps", paramLabel = "N", defaultValue = "400",
      description = "Training steps of the small model (default: ${DEFAULT-VALUE}).")
  int trainSteps;

  @Option(names = "--size", paramLabel = "S", defaultValue = "64",
      description = "Side of the test images in pixels (default: ${DEFAULT-VALUE}).")
  int size;

  @Option(names = "--threads", paramLabel = "N", defaultValue = "1",
      description = "libtorch threads for training and scoring (default: ${DEFAULT-VALUE}; the network"
          + " is too small to gain from more, and on a busy machine more starve each other).")
  int threads;

  @Option(names = "--drop-interval", paramLabel = "SECONDS", defaultValue = "0.75", hidden = true,
      description = "Seconds between two drops of files into the watched folder.")
  double dropInterval;

  /**
   * Engine settings that separate pasted defects from stripe textures (AnomalyEngineTest's
   * detection settings): t* = 150, 5 deterministic DDIM steps, L1 map smoothed with sigma 2 px,
   * score = the map's maximum.
   */
  static EngineConfig engineConfig() {
    return EngineConfig.builder().tStar(150).sampler(SamplerKind.DDIM).steps(5).batchSize(16)
        .map(MapKind.L1).smoothSigma(2.0).reduction(ScoreReduction.MAX).build();
  }

  @Override
  public Integer call() throws Exception {
    check("--images", images, 4, 100_000);
    check("--train-steps", trainSteps, 1, 1_000_000);
    check("--size", size, 32, 1024);
    if (!(dropInterval >= 0 && dropInterval <= 60)) {
      throw new ParameterException(spec.commandLine(),
          "--drop-interval: must be in [0, 60] seconds, got " + dropInterval);
    }
    check("--threads", threads, 1, 1024);
    // DJL reads the property when its engine starts in this JVM; the streaming job's scorer takes
    // the smaller of it and its share of the cores (DjlThreads). Restored afterwards (tests share
    // the JVM).
    String before = System.getProperty(DjlThreads.NUM_THREADS);
    System.setProperty(DjlThreads.NUM_THREADS, Integer.toString(threads));
    int torchBefore = -1;
    try {
      Engine.getInstance();
      torchBefore = ai.djl.pytorch.jni.JniUtils.getNumThreads();
      DjlThreads.applyToCurrentThread(threads); // in case the engine was running already
      return run();
    } finally {
      if (torchBefore > 0) {
        DjlThreads.applyToCurrentThread(torchBefore);
      }
      if (before == null) {
        System.clearProperty(DjlThreads.NUM_THREADS);
      } else {
        System.setProperty(DjlThreads.NUM_THREADS, before);
      }
    }
  }

  private void check(String option, int value, int min, int max) {
    if (value < min || value > max) {
      throw new ParameterException(spec.commandLine(),
          option + ": must be in [" + min + ", " + max + "], got " + value);
    }
  }

  private int run() throws Exception {
    long t0 = System.nanoTime();
    DemoLog log = new DemoLog(spec.commandLine().getErr());
    Map<String, Double> phaseSeconds = new LinkedHashMap<>();
    DemoLayout at = DemoLayout.clean(out);

    long t = System.nanoTime();
    DemoData data = DemoData.generate(images, size, at.inspection(), at.calibration(), log);
    phaseSeconds.put("generate", DemoLog.seconds(t));

    t = System.nanoTime();
    DemoModel.prepare(at.model(), trainSteps, fresh, log);
    phaseSeconds.put("train", DemoLog.seconds(t));

    t = System.nanoTime();
    EngineConfig engine = engineConfig();
    Calibration cal = DemoCalibration.run(at.model(), engine, at.calibration(), data, log);
    phaseSeconds.put("calibrate", DemoLog.seconds(t));

    t = System.nanoTime();
    StreamConfig config = DemoStreamConfig.of(at.model(), at.incoming(), at.results(), engine);
    DemoStream.Run run = DemoStream.run(config, at.streamYaml(), data, dropInterval, DemoCommand::launch, log);
    phaseSeconds.put("stream", DemoLog.seconds(t));
    if (run.code() != DiffadCli.EXIT_OK) {
      log.line(DemoLog.PREFIX + "the streaming job failed (exit code " + run.code() + ")");
      return DiffadCli.EXIT_FAILURE;
    }

    log.phase(5, "summary");
    List<String> lines = DemoSummary.read(at.results(), data)
        .lines(run, cal, at.incoming(), phaseSeconds, DemoLog.seconds(t0));
    PrintWriter o = spec.commandLine().getOut();
    lines.forEach(o::println);
    o.flush();
    Files.write(at.summary(), lines, StandardCharsets.UTF_8);
    return DiffadCli.EXIT_OK;
  }

  /** {@code diffad ...} in this JVM, its output and errors to the given writers. */
  private static int launch(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cl = DiffadCli.commandLine();
    cl.setOut(out);
    cl.setErr(err);
    return cl.execute(args);
  }
}
