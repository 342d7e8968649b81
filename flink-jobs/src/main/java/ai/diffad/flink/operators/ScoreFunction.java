package ai.diffad.flink.operators;

import ai.diffad.config.EngineConfig;
import ai.diffad.denoise.calibrate.Calibration;
import ai.diffad.denoise.calibrate.CalibrationStore;
import ai.diffad.denoise.calibrate.ScoreSettings;
import ai.diffad.denoise.record.ScoreRecord;
import ai.diffad.denoise.run.ImageOutputs;
import ai.diffad.denoise.run.Outcome;
import ai.diffad.denoise.run.Scorer;
import ai.diffad.flink.feed.Batch;
import ai.diffad.denoise.record.DecodedInput;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.artifact.ModelArtifact;
import ai.djl.engine.Engine;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconstructs and scores batches: one result record per input, or one rejection on
 * {@link Outputs#REJECTED} (PROCESSING_FAILED) for an input the engine fails on. The model is
 * loaded once per subtask in {@link #open} (after sizing libtorch's threads for the worker's
 * slots, see {@link DjlThreads}) and closed in {@link #close}. Records carry normalized /
 * threshold / anomalous when the model's calibration was made with the same engine settings.
 */
public final class ScoreFunction extends ProcessFunction<Batch, ScoreRecord> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(ScoreFunction.class);

  private final String modelDir;
  private final String engineJson;
  private final int slotsPerWorker;
  private final String imageDir;
  private final boolean maps;
  private final boolean denoised;

  private transient LoadedModel model;
  private transient Scorer scorer;
  private transient Counter scored;
  private transient Counter failed;
  private transient Counter anomalous;
  private transient Histogram batchSize;
  private transient Histogram modelLatency;
  private transient Histogram endToEnd;
  private transient Progress progress;

  /**
   * @param modelDir the model directory
   * @param engine engine settings
   * @param slotsPerWorker scorers sharing one worker's cores (task slots per TaskManager)
   */
  public ScoreFunction(Path modelDir, EngineConfig engine, int slotsPerWorker) {
    this(modelDir, engine, slotsPerWorker, null, false, false);
  }

  /**
   * @param modelDir the model directory
   * @param engine engine settings
   * @param slotsPerWorker scorers sharing one worker's cores (task slots per TaskManager)
   * @param imageDir folder for maps and denoised images, or null
   * @param maps write each image's map and overlay under imageDir
   * @param denoised write each image's reconstruction under imageDir
   */
  public ScoreFunction(Path modelDir, EngineConfig engine, int slotsPerWorker, Path imageDir,
      boolean maps, boolean denoised) {
    this.modelDir = modelDir.toString();
    this.engineJson = EngineSettings.toJson(Objects.requireNonNull(engine, "engine"));
    this.slotsPerWorker = slotsPerWorker;
    this.imageDir = imageDir == null ? null : imageDir.toAbsolutePath().toString();
    this.maps = maps;
    this.denoised = denoised;
    if ((maps || denoised) && imageDir == null) {
      throw new IllegalArgumentException("maps and denoised images need a folder");
    }
  }

  @Override
  public void open(OpenContext ctx) throws Exception {
    int threads = DjlThreads.configure(slotsPerWorker);
    EngineConfig cfg = EngineSettings.fromJson(engineJson);
    Path dir = Path.of(modelDir);
    model = ModelArtifact.load(dir, Engine.getInstance().defaultDevice());
    DjlThreads.applyToCurrentThread(threads);
    scorer = new Scorer(model, cfg, calibration(dir, cfg),
        imageDir == null ? null : new ImageOutputs(Path.of(imageDir), maps, denoised));
    progress = Progress.of(getRuntimeContext());
    MetricGroup g = getRuntimeContext().getMetricGroup();
    scored = g.counter(Metrics.SCORED);
    failed = g.counter(Metrics.REJECTED);
    anomalous = g.counter(Metrics.ANOMALOUS);
    batchSize = Metrics.histogram(g, Metrics.BATCH_SIZE);
    modelLatency = Metrics.histogram(g, Metrics.MODEL_LATENCY);
    endToEnd = Metrics.histogram(g, Metrics.END_TO_END);
    LOG.info("subtask {} scoring with model {} ({} libtorch threads)",
        getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), model.manifest().name(), threads);
  }

  @Override
  public void processElement(Batch batch, Context ctx, Collector<ScoreRecord> out) {
    batchSize.update(batch.size());
    Map<String, Long> arrived = new HashMap<>();
    for (DecodedInput d : batch.items()) {
      arrived.putIfAbsent(d.id(), d.receivedAt());
    }
    // Each record carries its share of the network calls it shared: the batch's model time is
    // their sum.
    double[] modelMs = {0};
    for (Outcome o : scorer.score(java.util.Arrays.asList(batch.items()))) {
      endToEnd.update(Metrics.since(arrived.getOrDefault(o.id(), 0L)));
      progress.output();
      if (o instanceof Outcome.Scored s) {
        ScoreRecord r = s.record();
        scored.inc();
        if (Boolean.TRUE.equals(r.anomalous())) {
          anomalous.inc();
        }
        if (r.timingsMs() != null && r.timingsMs().get("model") != null) {
          modelMs[0] += r.timingsMs().get("model");
        }
        out.collect(r);
      } else if (o instanceof Outcome.Rejected r) {
        failed.inc();
        ctx.output(Outputs.REJECTED, r.rejection());
      }
    }
    modelLatency.update(Math.round(modelMs[0]));
  }

  @Override
  public void close() throws Exception {
    if (scorer != null) {
      scorer.close();
      scorer = null;
    }
    if (model != null) {
      model.close();
      model = null;
    }
    super.close();
  }

  /** The model's calibration if made with these settings, else null (with a log line why). */
  static Calibration calibration(Path modelDir, EngineConfig cfg) {
    Optional<Calibration> cal = CalibrationStore.read(modelDir);
    if (cal.isEmpty()) {
      LOG.info("{} is not calibrated: records carry no normalized/threshold/anomalous", modelDir);
      return null;
    }
    List<String> diff = cal.get().differences(ScoreSettings.of(cfg));
    if (!diff.isEmpty()) {
      LOG.warn("the calibration of {} was made with other settings ({}): records carry no"
          + " normalized/threshold/anomalous", modelDir, String.join("; ", diff));
      return null;
    }
    return cal.get();
  }
}
