package ai.diffad.cli;

import ai.diffad.config.ConfigLoader;
import ai.diffad.config.DataConfig;
import ai.diffad.config.DataFormat;
import ai.diffad.config.DiffadConfig;
import ai.diffad.config.NetworkConfig;
import ai.diffad.denoise.data.SyntheticTextures;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.net.Networks;
import ai.diffad.model.train.Trainer;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Benchmarks that BENCHMARKS.md quotes. Measurements, not tests: run them on an otherwise idle
 * machine.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Measure speed (for BENCHMARKS.md).",
        "network: training steps/s, forward images/s and FLOPs of a profile's network at a given size.",
        "stream-soak: sustained load on the streaming job (no --config needed).",
        "series-stream: rows/s of series through the streaming job, with and without online learning."})
final class BenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", description = "What to measure: network, score (images/s of score at --size for batch sizes 1, 8, 16) memory (resident memory over --count images), backbone (images/s and GFLOP/s of --backbone at --size), stream-soak (--count inputs through the streaming job: records/s, resident memory, heap and back-pressure every --sample-every records; exit 1 if an input has no single record or RSS grows over 5 % after warm-up) fuzz (--count mutated inputs through the decoders and the Kafka parse path) or series-stream (rows/s of NAB series through the streaming job, with --online-every learning online per source).")
  String what;

  @Option(names = "--config", description = "Profile whose network is measured (network, score, memory).")
  Path config;

  @Option(names = "--backbone", description = "bench backbone: mobilenet_v2, inception_v3 or a TorchScript file.")
  String backbone;

  @Option(names = "--backbone-layers", split = ",", description = "bench backbone: the layers computed (default: the backbone's defaults).")
  List<String> backboneLayers;

  @Option(names = "--size", defaultValue = "128", description = "Input side in pixels (default: ${DEFAULT-VALUE}).")
  int size;

  @Option(names = "--batch", defaultValue = "16", description = "Batch size (default: ${DEFAULT-VALUE}); for stream-soak the micro-batch and network batch.")
  int batch;

  @Option(names = "--train-steps", defaultValue = "12", description = "Timed training steps after 3 warm-up steps (default: ${DEFAULT-VALUE}).")
  int trainSteps;

  @Option(names = "--forward-iters", defaultValue = "10", description = "Timed forward calls after 2 warm-up calls (default: ${DEFAULT-VALUE}).")
  int forwardIters;

  @Option(names = "--count", defaultValue = "5000", description = "Images for bench memory and stream-soak, cases for bench fuzz (default: ${DEFAULT-VALUE}); bench score uses 32.")
  int count;

  @Option(names = "--model", description = "bench stream-soak: an image model to serve (default: a tiny 16x16 model trained on the spot).")
  Path model;

  @Option(names = "--sample-every", description = "bench stream-soak: records out between two memory and back-pressure samples (default: 10000, or --count / 10 if smaller).")
  Long sampleEvery;

  @Option(names = "--backlog", defaultValue = "2000", description = "bench stream-soak: inputs written at most ahead of the records out (default: ${DEFAULT-VALUE}).")
  int backlog;

  @Option(names = "--seed", description = "bench fuzz: the run's seed (default: from the clock; printed either way).")
  Long seed;

  @Option(names = "--case", description = "bench fuzz: run only case N of --seed, print it and write it to --out (to reproduce a failure).")
  Integer fuzzCase;

  @Option(names = "--out", description = "bench fuzz: where failing cases are written (default: fuzz-failures-SEED).")
  Path out;

  @Option(names = "--dataset", description = "bench series-stream: a NAB root (data/, labels/).")
  Path dataset;

  @Option(names = "--series", defaultValue = "4", description = "bench series-stream: the first N"
      + " NAB series, one source each (default: ${DEFAULT-VALUE}).")
  int seriesCount;

  @Option(names = "--chunk", defaultValue = "64", description = "bench series-stream: rows per"
      + " input (default: ${DEFAULT-VALUE}).")
  int chunk;

  @picocli.CommandLine.Mixin OnlineOptions online;

  @Option(names = "--peak-gflops", defaultValue = "150", description = "This CPU's measured peak for utilisation (ANCHORS.md: ~150 GFLOP/s).")
  double peak;

  /** Synthetic textures (labelled round-robin for class-conditional networks). */
  static ai.diffad.model.train.TrainingSet benchData(int count, int size, int channels, int classes) {
    ai.diffad.denoise.data.InMemoryTrainingSet gray = SyntheticTextures.trainingSet(count, size, 1);
    List<ai.diffad.denoise.data.InMemoryTrainingSet.Item> items = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      float[] g = gray.item(i);
      float[] x = new float[channels * g.length];
      for (int c = 0; c < channels; c++) {
        System.arraycopy(g, 0, x, c * g.length, g.length);
      }
      items.add(new ai.diffad.denoise.data.InMemoryTrainingSet.Item(x, size, size, classes > 0 ? i % classes : -1));
    }
    return new ai.diffad.denoise.data.InMemoryTrainingSet(items, channels, "bench textures");
  }

  /** Images/s and GFLOP/s of a backbone's chosen layers at --size, batch --batch. */
  private Integer backboneSpeed() {
    if (backbone == null) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "bench backbone: --backbone is required");
    }
    PrintWriter o = spec.commandLine().getOut();
    ai.diffad.config.BackboneConfig bc = new ai.diffad.config.BackboneConfig(backbone,
        backboneLayers, size, null);
    try (NDManager m = NDManager.newBaseManager();
        ai.diffad.model.backbone.Backbone b = ai.diffad.model.backbone.Backbones.open(bc, m)) {
      double flops = b instanceof ai.diffad.model.backbone.KerasBackbone k
          ? k.flops(bc.layers(), size, size) : Double.NaN;
      double[] times = new double[forwardIters];
      for (int i = -2; i < forwardIters; i++) {
        try (NDManager sub = m.newSubManager()) {
          NDArray x = sub.randomUniform(-1f, 1f, new Shape(batch, 3, size, size));
          long t0 = System.nanoTime();
          for (NDArray y : b.features(x, bc.layers())) {
            y.toFloatArray(); // wait for the result
          }
          if (i >= 0) {
            times[i] = (System.nanoTime() - t0) / 1e9;
          }
        }
      }
      Arrays.sort(times);
      double ips = batch / times[times.length / 2];
      o.printf(Locale.ROOT, "backbone %s, layers %s, %dx%d, batch %d: %.3f GFLOP per image%n",
          bc.name(), bc.layers(), size, size, batch, flops / 1e9);
      o.printf(Locale.ROOT, "threads: ai.djl.pytorch.num_threads=%s, cores=%d%n",
          System.getProperty("ai.djl.pytorch.num_threads", "default"),
          Runtime.getRuntime().availableProcessors());
      o.printf(Locale.ROOT, "forward: %.2f images/s (median of %d), %.1f GFLOP/s = %.0f%% of %.0f%n",
          ips, forwardIters, flops * ips / 1e9, 100 * flops * ips / 1e9 / peak, peak);
      o.flush();
    }
    return DiffadCli.EXIT_OK;
  }

  @Override
  public Integer call() throws IOException {
    if (what.equals("backbone")) {
      return backboneSpeed();
    }
    if (what.equals("stream-soak")) {
      try {
        return StreamSoak.run(this);
      } catch (IOException | RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IOException("bench stream-soak: " + e.getMessage(), e);
      }
    }
    if (what.equals("fuzz")) {
      return fuzz();
    }
    if (what.equals("series-stream")) {
      if (model == null || dataset == null) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
            "bench series-stream: --model (a one-channel series model) and --dataset (a NAB"
                + " root) are required");
      }
      try {
        return SeriesStreamBench.run(model, dataset, seriesCount, chunk, online.build(),
            spec.commandLine().getOut());
      } catch (IOException | RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IOException("bench series-stream: " + e.getMessage(), e);
      }
    }
    if (config == null) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "bench " + what + ": --config is required");
    }
    switch (what) {
      case "network":
        break;
      case "score":
        return ScoreBench.speed(this);
      case "memory":
        return ScoreBench.memory(this);
      default:
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
            "bench: must be one of [network, score, memory, backbone, stream-soak, fuzz], got '" + what + "'");
    }
    PrintWriter o = spec.commandLine().getOut();
    DiffadConfig base = ConfigLoader.load(config);
    DataConfig d = base.data();
    int warm = 3;
    DiffadConfig cfg = new DiffadConfig(base.name(), base.schedule(), base.prediction(),
        base.network(),
        base.training().withSteps(warm + trainSteps),
        new DataConfig(DataFormat.IMAGES, d.channels(), size, 0, d.flips(), d.rotations(), null, null));
    NetworkConfig net = cfg.network();
    double flops = Networks.flopsPerSample(net, d.channels(), size, size);
    Path tmp = Files.createTempDirectory("diffad-bench");
    try {
      List<Double> stamps = new ArrayList<>();
      Trainer.builder()
          .setConfig(cfg)
          .setData(benchData(64, size, d.channels(), net.numClasses()))
          .setOutputDir(tmp.resolve("model"))
          .setNetworkFactory(Networks::create)
          .optProgressBar(false)
          .optListener(r -> stamps.add(r.elapsedSeconds()))
          .build()
          .run();
      double trainSeconds = stamps.get(stamps.size() - 1) - stamps.get(warm - 1);
      double stepsPerSec = trainSteps / trainSeconds;

      double[] times = new double[forwardIters];
      long params;
      try (LoadedModel m = ModelArtifact.load(tmp.resolve("model"), Engine.getInstance().defaultDevice(), Networks::create)) {
        params = Networks.parameterCount(m.block());
        for (int i = -2; i < forwardIters; i++) {
          try (NDManager sub = m.manager().newSubManager()) {
            NDArray x = sub.randomNormal(new Shape(batch, d.channels(), size, size));
            NDArray t = sub.full(new Shape(batch), 250f);
            NDArray labels = net.numClasses() > 0 ? sub.zeros(new Shape(batch), ai.djl.ndarray.types.DataType.INT32) : null;
            long t0 = System.nanoTime();
            NDArray y = m.networkFn().apply(x, t, labels);
            y.toFloatArray(); // wait for the result
            if (i >= 0) {
              times[i] = (System.nanoTime() - t0) / 1e9;
            }
          }
        }
      }
      Arrays.sort(times);
      double median = times[times.length / 2];
      double imagesPerSec = batch / median;
      o.printf(Locale.ROOT, "network %s (%s): %,d parameters, %.3f GFLOP per %dx%d image (forward)%n",
          base.name(), config, params, flops / 1e9, size, size);
      o.printf(Locale.ROOT, "threads: ai.djl.pytorch.num_threads=%s, cores=%d%n",
          System.getProperty("ai.djl.pytorch.num_threads", "default"), Runtime.getRuntime().availableProcessors());
      o.printf(Locale.ROOT, "training: %.3f steps/s at batch %d (%.1f images/s), %.1f GFLOP/s = %.0f%% of %.0f%n",
          stepsPerSec, batch, stepsPerSec * batch, 3 * flops * stepsPerSec * batch / 1e9,
          100 * 3 * flops * stepsPerSec * batch / 1e9 / peak, peak);
      o.printf(Locale.ROOT, "forward:  %.2f images/s at batch %d (median of %d), %.1f GFLOP/s = %.0f%% of %.0f%n",
          imagesPerSec, batch, forwardIters, flops * imagesPerSec / 1e9,
          100 * flops * imagesPerSec / 1e9 / peak, peak);
      o.flush();
    } finally {
      try (var s = Files.walk(tmp)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    return DiffadCli.EXIT_OK;
  }

  /** bench fuzz: the fuzz runner over --count cases (or one --case), memory sampled every 10,000. */
  private int fuzz() throws IOException {
    PrintWriter o = spec.commandLine().getOut();
    long s = seed != null ? seed : System.currentTimeMillis();
    Path failures = out != null ? out : Path.of("fuzz-failures-" + s);
    try (ai.diffad.flink.fuzz.FuzzRunner runner = new ai.diffad.flink.fuzz.FuzzRunner()) {
      if (fuzzCase != null) {
        runner.warmUp();
        ai.diffad.flink.fuzz.FuzzCase c = runner.generator().generate(s, fuzzCase);
        ai.diffad.flink.fuzz.FuzzRunner.Result r = runner.run(c);
        o.printf(Locale.ROOT, "fuzz: seed %d, case %d: %s (%s, %s), %d bytes, expects %s%n", s, fuzzCase,
            c.kind(), c.route(), c.model(), c.bytes() == null ? 0 : c.bytes().length, c.expect());
        o.printf(Locale.ROOT, "  -> %s in %.1f ms%s%n", r.outcome(), r.ms(),
            r.problem() == null ? "" : ": FAILS: " + r.problem());
        o.println("  written to " + ai.diffad.flink.fuzz.FuzzRegressions.write(failures, c, r));
        o.flush();
        return r.problem() == null ? DiffadCli.EXIT_OK : DiffadCli.EXIT_FAILURE;
      }
      o.printf(Locale.ROOT, "fuzz: seed %d, %,d cases (reproduce one with --seed %d --case N); per-input time cap %d ms;%n"
          + "  caps: %,d pixels, %,d sensor values, %,d inline bytes; failing cases go to %s%n",
          s, count, s, ai.diffad.flink.fuzz.FuzzRunner.TIME_CAP_MS, ai.diffad.flink.fuzz.FuzzGenerator.MAX_PIXELS,
          ai.diffad.flink.fuzz.FuzzGenerator.MAX_SENSOR_VALUES, ai.diffad.flink.fuzz.FuzzGenerator.MAX_INLINE_BYTES,
          failures);
      o.flush();
      ai.diffad.flink.fuzz.FuzzReport rep;
      try (me.tongfei.progressbar.ProgressBar pb = Cli.bar("fuzz", count)) {
        rep = runner.runAll(s, count, 10_000, failures, pb::stepTo);
      }
      rep.print(o, false);
      boolean ok = rep.failed() == 0 && rep.memoryProblem() == null;
      o.println(ok ? "fuzz: PASS" : "fuzz: FAIL");
      o.flush();
      return ok ? DiffadCli.EXIT_OK : DiffadCli.EXIT_FAILURE;
    }
  }
}
