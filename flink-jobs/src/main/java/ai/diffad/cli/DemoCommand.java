package ai.diffad.cli;

import ai.diffad.config.DataConfig;
import ai.diffad.config.DataFormat;
import ai.diffad.config.DiffadConfig;
import ai.diffad.config.EngineConfig;
import ai.diffad.config.MapKind;
import ai.diffad.config.NetworkConfig;
import ai.diffad.config.NetworkKind;
import ai.diffad.config.PredictionType;
import ai.diffad.config.SamplerKind;
import ai.diffad.config.ScheduleConfig;
import ai.diffad.config.ScheduleKind;
import ai.diffad.config.ScoreReduction;
import ai.diffad.config.TrainingConfig;
import ai.diffad.denoise.calibrate.Calibration;
import ai.diffad.denoise.calibrate.CalibrationStore;
import ai.diffad.denoise.calibrate.Calibrator;
import ai.diffad.denoise.calibrate.ScoreSettings;
import ai.diffad.denoise.data.InMemoryTrainingSet;
import ai.diffad.denoise.data.SyntheticInspection;
import ai.diffad.denoise.data.SyntheticTextures;
import ai.diffad.denoise.record.DecodedInput;
import ai.diffad.denoise.run.Outcome;
import ai.diffad.denoise.run.Scorer;
import ai.diffad.denoise.io.DecodedImage;
import ai.diffad.denoise.io.ImageDecoder;
import ai.diffad.denoise.io.ImageEncoder;
import ai.diffad.denoise.io.ImageFormat;
import ai.diffad.denoise.record.JsonLines;
import ai.diffad.denoise.record.RejectedInputException;
import ai.diffad.denoise.run.ScoreRun;
import ai.diffad.flink.StreamJob;
import ai.diffad.flink.operators.DjlThreads;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.artifact.ModelManifest;
import ai.diffad.model.net.Networks;
import ai.diffad.model.train.Trainer;
import ai.diffad.model.train.TrainingResult;
import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * End to end on a fresh clone with no data: generates a synthetic inspection set (stripe textures,
 * a quarter with a pasted defect whose pixels are known), trains a small model (or reuses the one
 * an earlier run trained), calibrates it on held-out normal images, runs the streaming job of
 * {@code diffad stream} on a local MiniCluster over a folder a feeder drops the images into over
 * time (with two bad files among them), stops once the job is idle, and prints a summary: counts,
 * precision and recall against the known defects, and the highest scores with their heatmaps.
 *
 * <p>Layout of the output folder (only these entries are ever deleted or replaced):
 *
 * <pre>
 * model/          the small model (kept between runs; --fresh retrains) and its calibration.json
 * inspection/     the test images by camera (cam1/, cam2/), truth.csv and masks/ of the defects
 * calibration/    the held-out normal images the threshold was learned on, and their scores
 * stream.yaml     the stream configuration the job ran with (diffad stream --config)
 * incoming/       the watched folder the images were dropped into
 * results/        scores.jsonl, rejected.jsonl, alerts.jsonl, maps/, overlays/ (the job's output)
 * summary.txt     the summary printed at the end
 * </pre>
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"End to end with no data, then stop: a synthetic inspection set (textures",
        "with pasted defects at known positions) -> a small model (trained once,",
        "reused later) -> calibration -> the streaming job over a folder the images",
        "are dropped into over time -> a summary: counts, precision and recall",
        "against the known defects, the top scores with their heatmaps."})
final class DemoCommand implements Callable<Integer> {
  /** Seed of the inspection set; the held-out normal images and the training data use others. */
  static final long SET_SEED = 2026;
  static final long CALIBRATION_SEED = 99;
  static final long TRAINING_SEED = 5;
  /** Training textures (48x48; the model trains on 32x32 crops of them). */
  static final int TRAINING_TEXTURES = 64;
  static final int TRAINING_TEXTURE_SIZE = 48;
  /** Share of the inspection set with a pasted defect. */
  static final double DEFECT_SHARE = 0.25;
  /** Quantile of the held-out normal scores taken as the threshold. */
  static final double QUANTILE = 0.99;
  /** Seconds without progress (and nothing in flight) after which the job is stopped. */
  static final double IDLE_SECONDS = 4;
  /** Files dropped into the watched folder at a time. */
  static final int DROP_BATCH = 8;
  /** The two files among the images that cannot be scored. */
  static final String EMPTY_FILE = "cam1/img-empty.png";
  static final String TEXT_FILE = "cam2/notes.png";
  /** Summary lines the test and users can rely on. */
  static final String PREFIX = "diffad demo: ";

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

  private PrintWriter err;
  private final Map<String, Double> phaseSeconds = new LinkedHashMap<>();

  /** The small model: a stripe U-Net (16/32 channels, two levels) trained on t in [0, 400). */
  static DiffadConfig modelConfig(int steps) {
    return new DiffadConfig(
        "demo-stripes",
        ScheduleConfig.of(ScheduleKind.LINEAR, 1000),
        PredictionType.EPSILON,
        new NetworkConfig(NetworkKind.UNET2D, 16, List.of(1, 2), 1, List.of(), 8, 0, 0.0),
        new TrainingConfig(steps, 8, 2e-3, 0.0, Math.min(30, steps), null, 1.0, 0.99, 11L, 0,
            Math.max(1, Math.min(50, steps)), null, 0, 400, null),
        new DataConfig(DataFormat.IMAGES, 1, 32, null, false, false, null, null));
  }

  /**
   * Engine settings that separate pasted defects from stripe textures (AnomalyEngineTest's
   * detection settings): t* = 150, 5 deterministic DDIM steps, L1 map smoothed with sigma 2 px,
   * score = the map's maximum.
   */
  static EngineConfig engineConfig() {
    return EngineConfig.builder().tStar(150).sampler(SamplerKind.DDIM).steps(5).batchSize(16)
        .map(MapKind.L1).smoothSigma(2.0).reduction(ScoreReduction.MAX).build();
  }

  static InMemoryTrainingSet trainingSet() {
    return SyntheticTextures.trainingSet(TRAINING_TEXTURES, TRAINING_TEXTURE_SIZE, TRAINING_SEED);
  }

  @Override
  public Integer call() throws Exception {
    if (images < 4 || images > 100_000) {
      throw new ParameterException(spec.commandLine(), "--images: must be in [4, 100000], got " + images);
    }
    if (trainSteps < 1 || trainSteps > 1_000_000) {
      throw new ParameterException(spec.commandLine(), "--train-steps: must be in [1, 1000000], got " + trainSteps);
    }
    if (size < 32 || size > 1024) {
      throw new ParameterException(spec.commandLine(), "--size: must be in [32, 1024], got " + size);
    }
    if (!(dropInterval >= 0 && dropInterval <= 60)) {
      throw new ParameterException(spec.commandLine(),
          "--drop-interval: must be in [0, 60] seconds, got " + dropInterval);
    }
    if (threads < 1 || threads > 1024) {
      throw new ParameterException(spec.commandLine(), "--threads: must be in [1, 1024], got " + threads);
    }
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

  private int run() throws Exception {
    PrintWriter o = spec.commandLine().getOut();
    err = spec.commandLine().getErr();
    long t0 = System.nanoTime();
    Path dir = out.toAbsolutePath().normalize();
    Path modelDir = dir.resolve("model");
    Path inspection = dir.resolve("inspection");
    Path calibration = dir.resolve("calibration");
    Path incoming = dir.resolve("incoming");
    Path results = dir.resolve("results");
    Path streamYaml = dir.resolve("stream.yaml");
    Files.createDirectories(dir);
    for (Path p : List.of(inspection, calibration, incoming, results, streamYaml, dir.resolve("summary.txt"))) {
      deleteTree(p);
    }
    if (fresh) {
      deleteTree(modelDir);
    }

    // 1. The inspection set, its truth, and held-out normal images.
    long t = System.nanoTime();
    // Enough normal images that their 0.99 quantile is near the true one, not just their maximum.
    int calibrationCount = Math.max(8, Math.min(100, images * 5 / 4));
    List<SyntheticInspection.Sample> set = SyntheticInspection.inspectionSet(images, size, DEFECT_SHARE, SET_SEED);
    int defects = (int) set.stream().filter(SyntheticInspection.Sample::defective).count();
    phase(1, String.format(Locale.ROOT, "generating %d test images of %dx%d (%d with a pasted defect) and"
        + " %d held-out normal ones -> %s", images, size, size, defects, calibrationCount, show(inspection)));
    List<Drop> drops = writeInspection(set, inspection);
    for (SyntheticInspection.Sample s : SyntheticInspection.normals(calibrationCount, size, CALIBRATION_SEED)) {
      writePng(calibration.resolve("normal").resolve(String.format(Locale.ROOT, "normal-%03d.png", s.index())),
          s.pixels(), size);
    }
    phaseSeconds.put("generate", seconds(t));

    // 2. The model: trained once, reused while its model.json matches.
    t = System.nanoTime();
    DiffadConfig cfg = modelConfig(trainSteps);
    InMemoryTrainingSet data = trainingSet();
    String why = reusable(modelDir, cfg, data.description());
    if (why == null) {
      phase(2, "reusing the model trained by an earlier run: " + show(modelDir) + " (--fresh retrains)");
    } else {
      phase(2, String.format(Locale.ROOT, "training a small model (%s): %d steps on %d synthetic %dx%d"
          + " textures -> %s", why, trainSteps, TRAINING_TEXTURES, TRAINING_TEXTURE_SIZE,
          TRAINING_TEXTURE_SIZE, show(modelDir)));
      deleteTree(modelDir);
      train(cfg, data, modelDir);
    }
    phaseSeconds.put("train", seconds(t));

    // 3. Calibration on the held-out normal images: records then carry anomalous.
    t = System.nanoTime();
    EngineConfig engine = engineConfig();
    Calibration cal = calibrate(modelDir, engine, calibration, calibrationCount);
    phaseSeconds.put("calibrate", seconds(t));

    // 4. The streaming job over the watched folder, fed over time; stops once idle.
    t = System.nanoTime();
    Files.writeString(streamYaml, streamConfig(modelDir, incoming, results, engine));
    Files.createDirectories(incoming);
    phase(4, String.format(Locale.ROOT, "streaming: diffad stream --config %s --until-idle %.0f; dropping %d"
        + " files (2 of them bad) into %s, %d every %.2f s", show(streamYaml), IDLE_SECONDS, drops.size(),
        show(incoming), DROP_BATCH, dropInterval));
    StreamRun run = stream(streamYaml, incoming, results, drops);
    phaseSeconds.put("stream", seconds(t));
    if (run.code != DiffadCli.EXIT_OK) {
      err.println(PREFIX + "the streaming job failed (exit code " + run.code + ")");
      err.flush();
      return DiffadCli.EXIT_FAILURE;
    }

    // 5. Summary.
    phase(5, "summary");
    List<String> lines = summary(drops, inspection.resolve("truth.csv"), results, cal, run, t0);
    for (String line : lines) {
      o.println(line);
    }
    o.flush();
    Files.write(dir.resolve("summary.txt"), lines, StandardCharsets.UTF_8);
    return DiffadCli.EXIT_OK;
  }

  // ---------------------------------------------------------------------------------------------
  // 1. Generation

  /** One file the feeder drops: its path relative to the watched folder, and where it is copied from. */
  record Drop(String id, Path file) {}

  /**
   * Writes the set as PNGs under {@code dir} (cam1/, cam2/ alternately), truth.csv and the defect
   * masks; returns the files to drop in order, with the two bad files placed a third and two
   * thirds of the way in.
   */
  private static List<Drop> writeInspection(List<SyntheticInspection.Sample> set, Path dir) throws IOException {
    int digits = Math.max(3, String.valueOf(set.size() - 1).length());
    List<Drop> drops = new ArrayList<>();
    StringBuilder truth = new StringBuilder("file,defect,x,y,width,height,pixels\n");
    for (SyntheticInspection.Sample s : set) {
      String id = String.format(Locale.ROOT, "cam%d/img-%0" + digits + "d.png", 1 + s.index() % 2, s.index());
      writePng(dir.resolve(id), s.pixels(), s.size());
      drops.add(new Drop(id, dir.resolve(id)));
      if (s.defective()) {
        SyntheticInspection.Box b = s.box();
        truth.append(String.format(Locale.ROOT, "%s,%s,%d,%d,%d,%d,%d%n", id, s.defect().spelling(),
            b.x(), b.y(), b.width(), b.height(), s.defectPixels()));
        float[] mask = new float[s.mask().length];
        for (int i = 0; i < mask.length; i++) {
          mask[i] = s.mask()[i] ? 1f : -1f;
        }
        writePng(dir.resolve("masks").resolve(id), mask, s.size());
      } else {
        truth.append(id).append(",none,,,,,0\n");
      }
    }
    Files.writeString(dir.resolve("truth.csv"), truth.toString());
    Path empty = dir.resolve("bad").resolve(EMPTY_FILE);
    Path text = dir.resolve("bad").resolve(TEXT_FILE);
    Files.createDirectories(empty.getParent());
    Files.createDirectories(text.getParent());
    Files.write(empty, new byte[0]);
    Files.writeString(text, "inspection notes: this is text, not an image\n");
    drops.add(2 * drops.size() / 3, new Drop(TEXT_FILE, text));
    drops.add(drops.size() / 3, new Drop(EMPTY_FILE, empty));
    return drops;
  }

  private static void writePng(Path file, float[] pixels, int size) throws IOException {
    Files.createDirectories(file.getParent());
    Files.write(file, ImageEncoder.encode(pixels, 1, size, size, null, 8, ImageFormat.PNG));
  }

  // ---------------------------------------------------------------------------------------------
  // 2. Training

  /** Null if the model in {@code dir} is the one this run would train; else why it is not. */
  static String reusable(Path dir, DiffadConfig cfg, String dataDescription) {
    if (!Files.isRegularFile(dir.resolve(ModelArtifact.MANIFEST))) {
      return "none yet";
    }
    try {
      ModelManifest m = ModelArtifact.readManifest(dir);
      if (!m.config().equals(cfg)) {
        return "the one in " + dir.getFileName() + " has other settings";
      }
      if (m.training() == null || !dataDescription.equals(m.training().dataDescription())
          || m.training().steps() != cfg.training().steps()) {
        return "the one in " + dir.getFileName() + " was trained on other data";
      }
      if (!Files.isRegularFile(dir.resolve(ModelArtifact.WEIGHTS))) {
        return "the one in " + dir.getFileName() + " has no weights";
      }
      return null;
    } catch (RuntimeException e) {
      return "the one in " + dir.getFileName() + " is unreadable";
    }
  }

  private void train(DiffadConfig cfg, InMemoryTrainingSet data, Path modelDir) {
    int every = Math.max(1, cfg.training().steps() / 10);
    double[] smoothed = {Double.NaN};
    TrainingResult r = Trainer.builder()
        .setConfig(cfg)
        .setData(data)
        .setOutputDir(modelDir)
        .setNetworkFactory(Networks::create)
        .optProgressBar(false)
        .optListener(s -> {
          smoothed[0] = s.smoothedLoss();
          if (s.step() % every == 0 || s.step() == s.totalSteps()) {
            double eta = s.elapsedSeconds() / s.step() * (s.totalSteps() - s.step());
            detail(String.format(Locale.ROOT, "step %d/%d  loss %.4f  %.0f s (%.0f s to go)", s.step(),
                s.totalSteps(), s.smoothedLoss(), s.elapsedSeconds(), eta));
          }
        })
        .build()
        .run();
    detail(String.format(Locale.ROOT, "trained in %.0f s (%.0f ms/step), loss %.4f (smoothed)",
        r.secondsPerStep() * cfg.training().steps(), r.secondsPerStep() * 1000, smoothed[0]));
  }

  // ---------------------------------------------------------------------------------------------
  // 3. Calibration

  /**
   * Scores the held-out normal images as the streaming job would (decoded from their PNGs, ids
   * relative to the output folder, so the engine's per-id noise and hence the threshold do not
   * depend on where the folder is), learns the quantile threshold and writes it into the model.
   */
  private Calibration calibrate(Path modelDir, EngineConfig engine, Path calibration, int count)
      throws IOException {
    phase(3, String.format(Locale.ROOT, "calibrating on %d held-out normal images: threshold = their %.2f"
        + " quantile -> %s", count, QUANTILE, show(modelDir.resolve(CalibrationStore.FILE))));
    Path normal = calibration.resolve("normal");
    List<Path> files;
    try (var s = Files.list(normal)) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".png")).sorted().toList();
    }
    ImageDecoder decoder = ImageDecoder.of(engine);
    double[] scores = new double[files.size()];
    StringBuilder csv = new StringBuilder("id,score\n");
    try (LoadedModel m = ModelArtifact.load(modelDir, Engine.getInstance().defaultDevice(), Networks::create);
        Scorer scorer = new Scorer(m, engine, null, null)) {
      int c = m.manifest().input().channels();
      int group = Math.max(1, engine.batchSize());
      for (int from = 0; from < files.size(); from += group) {
        List<DecodedInput> batch = new ArrayList<>();
        for (Path f : files.subList(from, Math.min(files.size(), from + group))) {
          DecodedImage d;
          try {
            d = decoder.decode(f).withChannels(c);
          } catch (RejectedInputException e) {
            throw new IOException("cannot decode the calibration image " + f + ": " + e.getMessage(), e);
          }
          String id = calibration.getFileName() + "/" + normal.relativize(f);
          batch.add(new DecodedInput(id, null, DecodedInput.IMAGE, d.data(), d.channels(),
              d.height(), d.width(), 0));
        }
        List<Outcome> results = scorer.score(batch);
        for (int i = 0; i < results.size(); i++) {
          if (!(results.get(i) instanceof Outcome.Scored s)) {
            throw new IOException("the calibration image " + results.get(i).id()
                + " could not be scored: " + ((Outcome.Rejected) results.get(i)).rejection().detail());
          }
          scores[from + i] = s.record().score();
          csv.append(s.id()).append(',')
              .append(String.format(Locale.ROOT, "%.6f", s.record().score())).append('\n');
        }
      }
    }
    Files.writeString(calibration.resolve("scores.csv"), csv.toString());
    Calibration cal = Calibrator.fromNormalScores(scores, QUANTILE, ScoreSettings.of(engine));
    CalibrationStore.write(modelDir, cal);
    detail(String.format(Locale.ROOT, "normal scores: min %.4f, median %.4f, max %.4f -> threshold %.4f",
        cal.normalScores().min(), cal.normalScores().median(), cal.normalScores().max(), cal.threshold()));
    return cal;
  }

  // ---------------------------------------------------------------------------------------------
  // 4. Streaming

  /** The stream configuration (YAML; paths and the engine settings written as JSON values). */
  static String streamConfig(Path model, Path incoming, Path results, EngineConfig engine) {
    return String.join("\n",
        "# Written by diffad demo: the streaming job it ran (diffad stream --config this-file).",
        "model: " + json(model.toString()),
        "source:",
        "  kind: directory",
        "  directory: {path: " + json(incoming.toString()) + ", recursive: on, monitorInterval: 500ms}",
        "batching: {maxSize: 8, maxWait: 300ms}",
        "engine: " + JsonLines.toJson(engine),
        "outputs: {dir: " + json(results.toString()) + ", maps: on}",
        "alerts: {count: 3, window: 60s, cooldown: 5m}",
        "checkpointing: {interval: 5s, exactlyOnce: on}",
        "parallelism: 1",
        "");
  }

  private static String json(String s) {
    try {
      return JsonLines.mapper().writeValueAsString(s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What the streaming run left: exit code, web UI, drop count and time. */
  record StreamRun(int code, String webUi, int dropped, double feedSeconds) {}

  private StreamRun stream(Path yaml, Path incoming, Path results, List<Drop> drops) throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    String[] webUi = {null};
    Pattern ui = Pattern.compile("Flink web UI: (http://[^;\\s]+)");
    PrintWriter jobOut = new PrintWriter(new LineWriter(line -> {
      Matcher m = ui.matcher(line);
      if (m.find()) {
        webUi[0] = m.group(1);
      }
      if (line.startsWith("diffad stream: job ")) {
        started.countDown();
      }
      detail(line);
    }), true);
    PrintWriter jobErr = new PrintWriter(new LineWriter(line -> {
      err.println(line);
      err.flush();
    }), true);

    AtomicInteger dropped = new AtomicInteger();
    double[] feedSeconds = {0};
    Thread feeder = new Thread(() -> {
      try {
        if (!started.await(5, TimeUnit.MINUTES)) {
          return;
        }
        long f0 = System.nanoTime();
        for (int i = 0; i < drops.size(); i++) {
          if (i > 0 && i % DROP_BATCH == 0 && dropInterval > 0) {
            Thread.sleep(Math.round(dropInterval * 1000));
          }
          drop(drops.get(i), incoming);
          dropped.incrementAndGet();
        }
        feedSeconds[0] = seconds(f0);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (IOException e) {
        detail("feeder: could not drop a file: " + e.getMessage());
      }
    }, "demo-feeder");
    feeder.setDaemon(true);
    Thread monitor = new Thread(() -> {
      String last = "";
      try {
        while (true) {
          Thread.sleep(2000);
          String now = String.format(Locale.ROOT, "dropped %d/%d files, results so far: %d scored, %d rejected",
              dropped.get(), drops.size(), lines(results.resolve(ScoreRun.SCORES)),
              lines(results.resolve(ScoreRun.REJECTED)));
          if (!now.equals(last)) {
            detail(now);
            last = now;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "demo-progress");
    monitor.setDaemon(true);
    feeder.start();
    monitor.start();

    int code;
    try {
      CommandLine cl = DiffadCli.commandLine();
      cl.setOut(jobOut);
      cl.setErr(jobErr);
      code = cl.execute("stream", "--config", yaml.toString(), "--until-idle",
          String.format(Locale.ROOT, "%.1f", IDLE_SECONDS));
    } finally {
      started.countDown();
      monitor.interrupt();
      feeder.join(TimeUnit.SECONDS.toMillis(10));
      feeder.interrupt();
    }
    return new StreamRun(code, webUi[0], dropped.get(), feedSeconds[0]);
  }

  /** Writes a file under a hidden name in its camera folder, then renames it into view. */
  private static void drop(Drop d, Path incoming) throws IOException {
    Path target = incoming.resolve(d.id());
    Files.createDirectories(target.getParent());
    Path tmp = target.resolveSibling("." + target.getFileName() + ".part");
    Files.copy(d.file(), tmp, StandardCopyOption.REPLACE_EXISTING);
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  // ---------------------------------------------------------------------------------------------
  // 5. Summary

  /** One scored record. */
  record Scored(String id, double score, Boolean anomalous, String overlay) {}

  private List<String> summary(List<Drop> drops, Path truthCsv, Path results, Calibration cal, StreamRun run,
      long t0) throws IOException {
    Map<String, String> truth = new LinkedHashMap<>(); // id -> defect kind or "none"
    List<String> csv = Files.readAllLines(truthCsv);
    for (String line : csv.subList(1, csv.size())) {
      if (!line.isBlank()) {
        String[] f = line.split(",", -1);
        truth.put(f[0], f[1]);
      }
    }
    List<Scored> scored = new ArrayList<>();
    for (JsonNode n : readJsonLines(results.resolve(ScoreRun.SCORES))) {
      JsonNode a = n.get("anomalous");
      JsonNode outs = n.get("outputs");
      scored.add(new Scored(n.get("id").asText(), n.get("score").asDouble(),
          a == null || a.isNull() ? null : a.asBoolean(),
          outs != null && outs.hasNonNull("overlay") ? outs.get("overlay").asText() : null));
    }
    Map<String, String> rejected = new LinkedHashMap<>();
    for (JsonNode n : readJsonLines(results.resolve(ScoreRun.REJECTED))) {
      rejected.put(n.get("id").asText(), n.path("reason").asText("?"));
    }
    long alerts = readJsonLines(results.resolve(StreamJob.ALERTS)).size();

    int flagged = 0;
    int truePositives = 0;
    int unflaggable = 0;
    for (Scored s : scored) {
      if (s.anomalous() == null) {
        unflaggable++;
      } else if (s.anomalous()) {
        flagged++;
        if (!"none".equals(truth.getOrDefault(s.id(), "none"))) {
          truePositives++;
        }
      }
    }
    int defects = (int) truth.values().stream().filter(k -> !"none".equals(k)).count();
    double[] normalRange = {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
    double[] defectRange = {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
    for (Scored s : scored) {
      double[] r = "none".equals(truth.getOrDefault(s.id(), "none")) ? normalRange : defectRange;
      r[0] = Math.min(r[0], s.score());
      r[1] = Math.max(r[1], s.score());
    }

    List<String> out = new ArrayList<>();
    out.add(String.format(Locale.ROOT, "%s%d files dropped into %s over %.1f s: scored %d, rejected %d,"
        + " flagged %d", PREFIX, run.dropped(), show(results.resolveSibling("incoming")), run.feedSeconds(),
        scored.size(), rejected.size(), flagged));
    out.add(String.format(Locale.ROOT, "%sprecision %s (%d of %d flagged have a pasted defect), recall %s"
        + " (%d of %d pasted defects flagged)", PREFIX, ratio(truePositives, flagged), truePositives, flagged,
        ratio(truePositives, defects), truePositives, defects));
    out.add(String.format(Locale.ROOT, "%sthreshold %.4f: the %.2f quantile of %d held-out normal scores"
        + " (max %.4f); scores of normal images %s, of defective ones %s", PREFIX, cal.threshold(), QUANTILE,
        cal.normalScores().count(), cal.normalScores().max(), range(normalRange), range(defectRange)));
    out.add(String.format(Locale.ROOT, "%s%d alert(s) (3 flagged images of one camera within 60 s) in %s",
        PREFIX, alerts, show(results.resolve(StreamJob.ALERTS))));
    if (!rejected.isEmpty()) {
      StringBuilder sb = new StringBuilder(PREFIX + "rejected:");
      rejected.forEach((id, reason) -> sb.append(' ').append(id).append(" (").append(reason).append(')'));
      out.add(sb.toString());
    }
    int missing = run.dropped() - scored.size() - rejected.size();
    if (missing != 0) {
      out.add(PREFIX + "warning: " + missing + " dropped file(s) have no record (the job stopped before"
          + " taking them in)");
    }
    if (unflaggable > 0) {
      out.add(PREFIX + "warning: " + unflaggable + " record(s) carry no anomalous flag (calibration not"
          + " applied)");
    }
    List<Scored> top = new ArrayList<>(scored);
    top.sort(Comparator.comparingDouble(Scored::score).reversed().thenComparing(Scored::id));
    top = top.subList(0, Math.min(5, top.size()));
    out.add(PREFIX + "top " + top.size() + " scores (rank, score, flagged, image, pasted defect, heatmap):");
    for (int i = 0; i < top.size(); i++) {
      Scored s = top.get(i);
      out.add(String.format(Locale.ROOT, "  %d. %.4f  %-3s  %s  %-11s  %s", i + 1, s.score(),
          Boolean.TRUE.equals(s.anomalous()) ? "yes" : "no", s.id(), truth.getOrDefault(s.id(), "?"),
          s.overlay() == null ? "(no heatmap)" : show(Path.of(s.overlay()))));
    }
    out.add(PREFIX + "Flink web UI was " + (run.webUi() == null ? "(not reported)" : run.webUi())
        + " while the job ran; results in " + show(results) + ", truth in " + show(truthCsv));
    StringBuilder phases = new StringBuilder();
    phaseSeconds.forEach((k, v) -> phases.append(phases.length() == 0 ? "" : ", ")
        .append(k).append(' ').append(duration(v)));
    out.add(PREFIX + "done in " + duration(seconds(t0)) + " (" + phases + ")");
    return out;
  }

  private static String range(double[] r) {
    return r[0] > r[1] ? "(none)" : String.format(Locale.ROOT, "%.4f-%.4f", r[0], r[1]);
  }

  private static String ratio(int num, int den) {
    return den == 0 ? "n/a" : String.format(Locale.ROOT, "%.3f", (double) num / den);
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private void phase(int n, String text) {
    err.println("demo [" + n + "/5] " + text);
    err.flush();
  }

  private void detail(String text) {
    synchronized (this) {
      err.println("      " + text);
      err.flush();
    }
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  private static String duration(double s) {
    return s < 60 ? String.format(Locale.ROOT, "%.0f s", s)
        : String.format(Locale.ROOT, "%dm %02ds", (long) s / 60, (long) s % 60);
  }

  /** A path relative to the working folder when under it, else absolute. */
  private static String show(Path p) {
    Path abs = p.toAbsolutePath().normalize();
    Path cwd = Path.of("").toAbsolutePath();
    return abs.startsWith(cwd) && !abs.equals(cwd) ? cwd.relativize(abs).toString() : abs.toString();
  }

  private static List<JsonNode> readJsonLines(Path file) throws IOException {
    return JsonLines.readNodes(file);
  }

  private static long lines(Path file) {
    try (var s = Files.lines(file)) {
      return s.filter(l -> !l.isBlank()).count();
    } catch (IOException | UncheckedIOException e) {
      return 0;
    }
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (var s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }

  /** A writer that hands over whole lines. */
  static final class LineWriter extends Writer {
    private final StringBuilder line = new StringBuilder();
    private final Consumer<String> onLine;

    LineWriter(Consumer<String> onLine) {
      this.onLine = onLine;
    }

    @Override
    public synchronized void write(char[] buf, int off, int len) {
      for (int i = off; i < off + len; i++) {
        char c = buf[i];
        if (c == '\n') {
          onLine.accept(line.toString());
          line.setLength(0);
        } else if (c != '\r') {
          line.append(c);
        }
      }
    }

    @Override
    public synchronized void flush() {}

    @Override
    public synchronized void close() {
      if (line.length() > 0) {
        onLine.accept(line.toString());
        line.setLength(0);
      }
    }
  }
}
