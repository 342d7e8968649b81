package ai.diffad.cli;

import ai.diffad.config.ConfigLoader;
import ai.diffad.config.DataConfig;
import ai.diffad.config.DataFormat;
import ai.diffad.config.DiffadConfig;
import ai.diffad.config.EngineConfig;
import ai.diffad.config.NoiseConfig;
import ai.diffad.config.SamplerKind;
import ai.diffad.denoise.data.SyntheticTextures;
import ai.diffad.denoise.io.Images;
import ai.diffad.denoise.record.JsonLines;
import ai.diffad.denoise.run.InputFiles;
import ai.diffad.denoise.run.RunSummary;
import ai.diffad.denoise.run.ScoreRun;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.net.Networks;
import ai.diffad.model.train.Trainer;
import ai.djl.engine.Engine;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Scoring benchmarks: throughput of the score path and resident memory over a long run. The
 * network's weights do not change its speed, so the model is the profile's architecture after one
 * training step on synthetic textures; inputs are synthetic PNG files decoded like any other.
 */
final class ScoreBench {
  private ScoreBench() {}

  /**
   * images/s of score at batch sizes 1, 8, 16, the non-network share, and the networks' GFLOP/s
   * against the CPU's peak. The engine is the profile's own ({@code engine:}) when it ships one
   * (the detector: one step, the segmentation head), else t*=250 and DDIM 10 steps.
   */
  static int speed(BenchCommand b) throws IOException {
    PrintWriter o = b.spec.commandLine().getOut();
    Path tmp = Files.createTempDirectory("diffad-score-bench");
    try {
      DiffadConfig profile = ConfigLoader.load(b.config);
      Path model = model(b, tmp);
      List<InputFiles.Input> inputs = inputs(tmp.resolve("in"), 32, b.size);
      EngineConfig shown = engineFor(profile, 1, b.size);
      double gflop = gflopPerImage(profile, shown, b.size);
      o.printf(Locale.ROOT, "score: %d synthetic %dx%d gray PNGs, t*=%d, %s %d step(s), map %s,"
          + " one tile per image, %.2f GFLOP of network per image, threads=%s%n",
          inputs.size(), b.size, b.size, shown.tStar(), shown.sampler().spelling(), shown.steps(),
          shown.map().kind().spelling(), gflop,
          System.getProperty("ai.djl.pytorch.num_threads", "default"));
      o.println("batch  images/s  network ms/image  outside-network share  network GFLOP/s  of peak");
      try (LoadedModel m = ModelArtifact.load(model, Engine.getInstance().defaultDevice(), Networks::create)) {
        warmUp(m, engineFor(profile, 2, b.size), b.size, tmp);
        for (int batch : new int[] {1, 8, 16}) {
          EngineConfig cfg = engineFor(profile, batch, b.size);
          Path out = tmp.resolve("out-" + batch);
          RunSummary s = new ScoreRun(m, cfg, null, out, false).run(inputs, null);
          double modelMs = sumModelMs(out.resolve(ScoreRun.SCORES));
          double wallMs = s.seconds() * 1000;
          double netGflops = gflop * s.processed() / (modelMs / 1000);
          o.printf(Locale.ROOT, "%5d  %8.3f  %16.1f  %20.1f%%  %15.1f  %6.0f%%%n", batch,
              s.processed() / s.seconds(), modelMs / s.processed(), 100 * (1 - modelMs / wallMs),
              netGflops, 100 * netGflops / b.peak);
          o.flush();
        }
      }
    } finally {
      delete(tmp);
    }
    return DiffadCli.EXIT_OK;
  }

  /** The profile's engine if it ships one, else t*=250 and DDIM 10; at this batch and tile. */
  private static EngineConfig engineFor(DiffadConfig profile, int batch, int tile) {
    if (profile.engine() == null) {
      return engine(250, 10, batch, tile);
    }
    return profile.engine().toBuilder().batchSize(batch).tileSize(tile).build();
  }

  /** Network GFLOP per image of one tile: the denoiser per step and seed, plus a mask head. */
  private static double gflopPerImage(DiffadConfig profile, EngineConfig engine, int size) {
    int c = profile.data().channels();
    double flops = Networks.flopsPerSample(profile.network(), c, size, size) * engine.steps()
        * engine.seeds();
    if (engine.map().uses(ai.diffad.config.MapKind.SEGMENTATION)) {
      flops += Networks.flopsPerSampleWithOutput(profile.detector().segmentation(), 2 * c, 1, size,
          size)
          * engine.seeds();
    }
    return flops / 1e9;
  }

  /** Resident memory at the start, middle and end of scoring {@code count} images in one process. */
  static int memory(BenchCommand b) throws IOException {
    PrintWriter o = b.spec.commandLine().getOut();
    Path tmp = Files.createTempDirectory("diffad-memory-bench");
    try {
      Path model = model(b, tmp);
      List<InputFiles.Input> inputs = inputs(tmp.resolve("in"), b.count, b.size);
      o.printf(Locale.ROOT, "memory: scoring %d synthetic %dx%d images in one process (t*=250, DDIM 4 steps, batch 16, maps on)%n",
          inputs.size(), b.size, b.size);
      o.println("images  resident MiB  java heap used MiB");
      o.flush();
      try (LoadedModel m = ModelArtifact.load(model, Engine.getInstance().defaultDevice(), Networks::create)) {
        EngineConfig cfg = engine(250, 4, 16, b.size);
        int[] done = {0};
        int every = Math.max(1, inputs.size() / 10);
        report(o, 0);
        RunSummary s = new ScoreRun(m, cfg, null, tmp.resolve("out"), true).run(inputs, in -> {
          done[0]++;
          if (done[0] % every == 0) {
            report(o, done[0]);
          }
        });
        o.printf(Locale.ROOT, "%s%n", s.line("scored"));
      }
    } finally {
      delete(tmp);
    }
    return DiffadCli.EXIT_OK;
  }

  private static void report(PrintWriter o, int images) {
    Runtime rt = Runtime.getRuntime();
    o.printf(Locale.ROOT, "%6d  %12.1f  %18.1f%n", images, rssMiB(), (rt.totalMemory() - rt.freeMemory()) / 1048576.0);
    o.flush();
  }

  /** VmRSS of this process from /proc (Linux), in MiB; -1 elsewhere. */
  static double rssMiB() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  private static EngineConfig engine(int tStar, int steps, int batch, int tile) {
    return EngineConfig.builder().tStar(tStar).sampler(SamplerKind.DDIM).steps(steps)
        .batchSize(batch).tileSize(tile).build();
  }

  private static Path model(BenchCommand b, Path tmp) throws IOException {
    DiffadConfig base = ConfigLoader.load(b.config);
    DataConfig d = base.data();
    // A detector profile keeps its detector (without foreign textures: one step of synthetic
    // anomalies is enough to build both networks) and its engine.
    ai.diffad.config.DetectorConfig det = base.detector() == null ? null
        : base.detector().withoutForeignTextures();
    DiffadConfig cfg = new DiffadConfig(base.name(), base.schedule(), base.prediction(), base.network(),
        base.training().withSteps(1),
        new DataConfig(DataFormat.IMAGES, d.channels(), Math.min(b.size, 64), 0, false, false, null, null),
        det, base.engine());
    Path dir = tmp.resolve("model");
    Trainer.builder().setConfig(cfg)
        .setData(BenchCommand.benchData(8, Math.min(b.size, 64), d.channels(), base.network().numClasses()))
        .setOutputDir(dir).setNetworkFactory(Networks::create).optProgressBar(false).build().run();
    return dir;
  }

  private static List<InputFiles.Input> inputs(Path dir, int count, int size) throws IOException {
    Files.createDirectories(dir);
    SplittableRandom rng = new SplittableRandom(5);
    List<Path> files = new ArrayList<>();
    int distinct = Math.min(count, 64);
    for (int i = 0; i < distinct; i++) {
      Path f = dir.resolve(String.format(Locale.ROOT, "img-%05d.png", i));
      Images.writePng(f, SyntheticTextures.texture(size, rng.split()), 1, size, size, 8);
      files.add(f);
    }
    List<InputFiles.Input> inputs = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      // Distinct ids over a pool of files: every input is decoded and scored in full.
      Path f = files.get(i % distinct);
      inputs.add(new InputFiles.Input(f, Path.of(String.format(Locale.ROOT, "%05d", i), f.getFileName().toString())));
    }
    return inputs;
  }

  private static void warmUp(LoadedModel m, EngineConfig cfg, int size, Path tmp)
      throws IOException {
    List<InputFiles.Input> w = inputs(tmp.resolve("warm"), 2, size);
    new ScoreRun(m, cfg, null, tmp.resolve("warm-out"), false).run(w, null);
  }

  private static double sumModelMs(Path scores) throws IOException {
    double sum = 0;
    for (var node : JsonLines.readNodes(scores)) {
      sum += node.get("timingsMs").get("model").asDouble();
    }
    return sum;
  }

  private static void delete(Path dir) throws IOException {
    try (var s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
