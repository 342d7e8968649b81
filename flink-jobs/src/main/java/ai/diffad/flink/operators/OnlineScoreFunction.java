package ai.diffad.flink.operators;

import ai.diffad.config.EngineConfig;
import ai.diffad.config.OnlineConfig;
import ai.diffad.denoise.data.InMemoryTrainingSet;
import ai.diffad.denoise.record.DecodedInput;
import ai.diffad.denoise.record.ScoreRecord;
import ai.diffad.denoise.run.Outcome;
import ai.diffad.denoise.run.Scorer;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.train.OnlineTuner;
import ai.djl.engine.Engine;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores series keyed by source and learns online per source (stream configuration
 * {@code online:}): each source has its own copy of the model's weights, fine-tuned on the
 * source's own past every {@code online.every} rows ({@link OnlineTuner}: {@code steps} steps on
 * windows of its last {@code history} rows) after the input that completes the interval is
 * scored, so an input is always scored by weights learned from inputs before it only. The tuned
 * weights, the recent rows and the rows since the last update are Flink keyed state, so they are
 * checkpointed with the job and restored after a failure; a source with no state yet is scored
 * by the shared weights. An update depends on the source's weights, rows and count of updates only
 * ({@link OnlineTuner#update}), so a change of source costs one copy of its weights into the model
 * and a restored job makes the same updates as an uninterrupted one. The rows of a source must
 * arrive in order: Kafka keeps the order of one partition (key the records by source), the
 * directory source reads files in name order from one reader when the job learns online. Images
 * are scored as by {@link ScoreFunction} (no learning). One result or
 * one rejection per input, like the micro-batched scorer.
 */
public final class OnlineScoreFunction extends KeyedProcessFunction<String, DecodedInput, ScoreRecord> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(OnlineScoreFunction.class);

  private final String modelDir;
  private final String engineJson;
  private final int slotsPerWorker;
  private final OnlineConfig online;

  private transient LoadedModel model;
  private transient Scorer scorer;
  private transient OnlineTuner tuner;
  private transient String served;
  private transient ValueState<byte[]> weights;
  private transient ValueState<float[]> history;
  private transient ValueState<Integer> since;
  private transient ValueState<Long> learned;
  private transient Counter updates;
  private transient Counter scored;
  private transient Counter failed;
  private transient int channels;
  private transient int window;
  /** The shared weights: the parameter shapes the state is unpacked to (read once in open). */
  private transient float[][] shapes;

  /**
   * @param modelDir a series model
   * @param engine engine settings
   * @param slotsPerWorker scorers sharing one worker's cores
   * @param online how often and how much each source's model learns
   */
  public OnlineScoreFunction(Path modelDir, EngineConfig engine, int slotsPerWorker,
      OnlineConfig online) {
    this.modelDir = modelDir.toString();
    this.engineJson = EngineSettings.toJson(Objects.requireNonNull(engine, "engine"));
    this.slotsPerWorker = slotsPerWorker;
    this.online = Objects.requireNonNull(online, "online");
  }

  /** The key of an input: its source, or "" for inputs without one. */
  public static String keyOf(DecodedInput d) {
    return d.source() == null ? "" : d.source();
  }

  @Override
  public void open(OpenContext ctx) throws Exception {
    int threads = DjlThreads.configure(slotsPerWorker);
    EngineConfig cfg = EngineSettings.fromJson(engineJson);
    Path dir = Path.of(modelDir);
    model = ModelArtifact.load(dir, Engine.getInstance().defaultDevice());
    DjlThreads.applyToCurrentThread(threads);
    if (!model.manifest().isSeries()) {
      model.close();
      throw new IllegalArgumentException("online learning is for series models; model "
          + model.manifest().name() + " takes images");
    }
    scorer = new Scorer(model, cfg, ScoreFunction.calibration(dir, cfg), null);
    tuner = new OnlineTuner(model, online);
    shapes = tuner.weights();
    channels = model.manifest().config().data().channels();
    window = model.manifest().config().data().size();
    weights = getRuntimeContext().getState(new ValueStateDescriptor<>("online-weights",
        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    history = getRuntimeContext().getState(new ValueStateDescriptor<>("online-history",
        PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO));
    since = getRuntimeContext().getState(new ValueStateDescriptor<>("online-rows-since",
        Types.INT));
    learned = getRuntimeContext().getState(new ValueStateDescriptor<>("online-updates",
        Types.LONG));
    updates = getRuntimeContext().getMetricGroup().counter("onlineUpdates");
    scored = getRuntimeContext().getMetricGroup().counter(Metrics.SCORED);
    failed = getRuntimeContext().getMetricGroup().counter(Metrics.REJECTED);
    LOG.info("subtask {} scoring with model {}, learning online per source every {} rows",
        getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), model.manifest().name(),
        online.every());
  }

  @Override
  public void processElement(DecodedInput in, Context ctx, Collector<ScoreRecord> out)
      throws Exception {
    String key = ctx.getCurrentKey();
    if (!key.equals(served)) {
      byte[] w = weights.value();
      if (w == null) {
        tuner.reset();
      } else {
        tuner.load(unpack(w, shapes));
      }
      served = key;
    }
    Outcome o = scorer.score(List.of(in)).get(0);
    if (o instanceof Outcome.Scored s) {
      scored.inc();
      out.collect(s.record());
    } else if (o instanceof Outcome.Rejected r) {
      failed.inc();
      ctx.output(Outputs.REJECTED, r.rejection());
      return;
    }
    if (!in.isSeries() || in.channels() != channels) {
      return;
    }
    float[] past = append(history.value(), in.data(), channels, online.history());
    history.update(past);
    int rows = (since.value() == null ? 0 : since.value()) + in.width();
    int pastRows = past.length / channels;
    if (rows >= online.every() && pastRows >= window) {
      // Seeded by the source and its own count of updates (state), not by what this subtask did
      // for other sources: a restored job makes the same update.
      long n = learned.value() == null ? 0 : learned.value();
      tuner.update(new InMemoryTrainingSet(List.of(new InMemoryTrainingSet.Item(past, 1,
          pastRows, -1)), channels, "source " + key), ((long) key.hashCode() << 32) ^ n);
      weights.update(pack(tuner.weights()));
      learned.update(n + 1);
      updates.inc();
      rows = 0;
    }
    since.update(rows);
  }

  /**
   * The last {@code max} rows of {@code old} followed by {@code add}, both channel-major (C, L).
   */
  static float[] append(float[] old, float[] add, int c, int max) {
    int oldRows = old == null ? 0 : old.length / c;
    int addRows = add.length / c;
    int keep = Math.min(max, oldRows + addRows);
    float[] out = new float[keep * c];
    for (int ch = 0; ch < c; ch++) {
      int written = 0;
      int fromNew = Math.min(addRows, keep);
      int fromOld = keep - fromNew;
      if (fromOld > 0) {
        System.arraycopy(old, ch * oldRows + oldRows - fromOld, out, ch * keep, fromOld);
        written = fromOld;
      }
      System.arraycopy(add, ch * addRows + addRows - fromNew, out, ch * keep + written, fromNew);
    }
    return out;
  }

  /** Weights as little-endian float32 bytes, parameter after parameter. */
  static byte[] pack(float[][] w) {
    int n = 0;
    for (float[] a : w) {
      n += a.length;
    }
    ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
    for (float[] a : w) {
      b.asFloatBuffer().put(a);
      b.position(b.position() + 4 * a.length);
    }
    return b.array();
  }

  /** The inverse of {@link #pack}, shaped like {@code like}. */
  static float[][] unpack(byte[] bytes, float[][] like) {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    float[][] out = new float[like.length][];
    for (int i = 0; i < like.length; i++) {
      out[i] = new float[like[i].length];
      b.asFloatBuffer().get(out[i]);
      b.position(b.position() + 4 * out[i].length);
    }
    if (b.hasRemaining()) {
      throw new IllegalStateException("online weights state of " + bytes.length
          + " bytes does not match the model (" + Arrays.stream(like).mapToInt(a -> a.length)
          .sum() * 4 + ")");
    }
    return out;
  }

  @Override
  public void close() throws Exception {
    if (tuner != null) {
      tuner.close();
      tuner = null;
    }
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
}
