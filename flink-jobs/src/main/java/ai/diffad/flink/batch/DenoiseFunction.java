package ai.diffad.flink.batch;

import ai.diffad.config.DenoiseMode;
import ai.diffad.config.EngineConfig;
import ai.diffad.denoise.denoising.DenoiseResult;
import ai.diffad.denoise.denoising.Denoiser;
import ai.diffad.denoise.io.DecodedImage;
import ai.diffad.denoise.io.ImageEncoder;
import ai.diffad.denoise.record.RejectReason;
import ai.diffad.denoise.record.Rejection;
import ai.diffad.denoise.record.ScoreRecord;
import ai.diffad.flink.operators.DjlThreads;
import ai.diffad.flink.operators.EngineSettings;
import ai.diffad.flink.operators.Metrics;
import ai.diffad.flink.operators.Outputs;
import ai.diffad.flink.operators.Progress;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.artifact.ModelArtifact;
import ai.djl.engine.Engine;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Denoises batches of images and writes each result atomically at the input's mirrored path under
 * {@code OUT/denoised/}, in the input's format, size, channels and bit depth (alpha kept); then
 * emits the input's one {@link DenoisedRecord}. An image the engine or the writer fails on becomes
 * one PROCESSING_FAILED rejection on {@link Outputs#REJECTED}. The model is loaded once per
 * subtask in {@link #open} (libtorch threads sized for the worker's slots) and closed in
 * {@link #close}. The denoiser is deterministic for a given seed, so an image done again (after
 * an interrupted run) comes out byte for byte the same.
 */
public final class DenoiseFunction extends ProcessFunction<ImageBatch, DenoisedRecord> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(DenoiseFunction.class);

  /** Accumulator of denoised inputs. */
  public static final String DENOISED = "diffad.batch.denoised";

  private final String modelDir;
  private final String engineJson;
  private final DenoiseMode mode;
  private final Double sigma;
  private final String output;
  private final int slotsPerWorker;

  private transient LoadedModel model;
  private transient Denoiser denoiser;
  private transient ScoreRecord.ModelRef modelRef;
  private transient Counter denoised;
  private transient Counter failed;
  private transient Histogram batchSize;
  private transient Histogram modelLatency;
  private transient Histogram endToEnd;
  private transient LongCounter denoisedTotal;
  private transient Progress progress;

  /**
   * @param modelDir the model directory
   * @param engine sampler, steps, seed, batch size and tiling of the denoiser
   * @param mode mmse or sample
   * @param sigma the noise level of every input (0-255), or null to estimate it per image
   * @param output the job's output folder (images go under its {@code denoised/})
   * @param slotsPerWorker denoisers sharing one worker's cores
   */
  public DenoiseFunction(Path modelDir, EngineConfig engine, DenoiseMode mode, Double sigma,
      Path output, int slotsPerWorker) {
    this.modelDir = modelDir.toAbsolutePath().toString();
    this.engineJson = EngineSettings.toJson(Objects.requireNonNull(engine, "engine"));
    this.mode = Objects.requireNonNull(mode, "mode");
    this.sigma = sigma;
    this.output = output.toAbsolutePath().toString();
    this.slotsPerWorker = slotsPerWorker;
  }

  @Override
  public void open(OpenContext ctx) throws Exception {
    int threads = DjlThreads.configure(slotsPerWorker);
    model = ModelArtifact.load(Path.of(modelDir), Engine.getInstance().defaultDevice());
    DjlThreads.applyToCurrentThread(threads);
    denoiser = Denoiser.builder().setModel(model).optMode(mode)
        .optEngine(EngineSettings.fromJson(engineJson)).build();
    modelRef = new ScoreRecord.ModelRef(model.manifest().name(),
        model.manifest().fingerprint());
    var g = getRuntimeContext().getMetricGroup();
    denoised = g.counter(Metrics.DENOISED);
    failed = g.counter(Metrics.REJECTED);
    batchSize = Metrics.histogram(g, Metrics.BATCH_SIZE);
    modelLatency = Metrics.histogram(g, Metrics.MODEL_LATENCY);
    endToEnd = Metrics.histogram(g, Metrics.END_TO_END);
    denoisedTotal = getRuntimeContext().getLongCounter(DENOISED);
    progress = Progress.of(getRuntimeContext());
    LOG.info("subtask {} denoising ({}) with model {} ({} libtorch threads)",
        getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), denoiser,
        model.manifest().name(), threads);
  }

  @Override
  public void processElement(ImageBatch batch, Context ctx, Collector<DenoisedRecord> out) {
    batchSize.update(batch.size());
    long modelNanos = 0;
    for (ImageInput in : batch.items()) {
      long a = System.nanoTime();
      DenoiseResult r;
      try {
        r = sigma == null
            ? denoiser.denoiseAuto(in.data(), in.channels(), in.height(), in.width())
            : denoiser.denoise(in.data(), in.channels(), in.height(), in.width(), sigma);
      } catch (RuntimeException e) {
        modelNanos += System.nanoTime() - a;
        reject(ctx, in, "denoising failed: " + e.getMessage());
        continue;
      }
      long b = System.nanoTime();
      modelNanos += b - a;
      Path file = null;
      try {
        file = BatchJob.writableOutputFor(Path.of(output), in.id());
        float[] back = DecodedImage.convert(r.image(), in.channels(), in.imageChannels(),
            in.height() * in.width());
        ImageEncoder.writeAtomically(file,
            ImageEncoder.encodeLike(back, in.imageChannels(), in.like(back), in.format()));
      } catch (IOException | RuntimeException e) {
        reject(ctx, in, file == null ? "no output written: " + e.getMessage()
            : "writing " + file + " failed: " + e.getMessage());
        continue;
      }
      long c = System.nanoTime();
      Map<String, Double> timings = new LinkedHashMap<>(); // mutable: Kryo copies it
      timings.put("decode", round(in.decodeMs()));
      timings.put("model", ms(b - a));
      timings.put("write", ms(c - b));
      timings.put("total", round(in.decodeMs() + (c - a) / 1e6));
      long e2e = Metrics.since(in.receivedAt());
      timings.put("endToEnd", (double) e2e);
      endToEnd.update(e2e);
      denoised.inc();
      denoisedTotal.add(1L);
      progress.output();
      out.collect(new DenoisedRecord(in.id(), in.source(), "image", Instant.now().toString(),
          file.toString(), mode.spelling(), round(r.sigma()), r.sigmaEstimated(), r.t(),
          round(r.sigmaEquiv()), r.unchanged(), r.note() == null || r.note().isEmpty() ? null : r.note(),
          modelRef, timings));
    }
    modelLatency.update(Math.round(modelNanos / 1e6));
  }

  private void reject(Context ctx, ImageInput in, String detail) {
    failed.inc();
    progress.output();
    ctx.output(Outputs.REJECTED, Rejection.of(in.id(), in.source(), RejectReason.PROCESSING_FAILED, detail));
  }

  @Override
  public void close() throws Exception {
    if (model != null) {
      model.close();
      model = null;
    }
    super.close();
  }

  private static double ms(long nanos) {
    return Math.round(nanos / 1e4) / 100.0;
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
