package ai.diffad.flink.operators;

import ai.diffad.config.EngineConfig;
import ai.diffad.flink.feed.DecodeOutcome;
import ai.diffad.denoise.record.DecodedInput;
import ai.diffad.flink.feed.FeedRecord;
import ai.diffad.flink.feed.InputDecoder;
import ai.diffad.flink.feed.PathRoot;
import ai.diffad.denoise.record.RejectedInputException;
import ai.diffad.denoise.record.Rejection;
import ai.diffad.model.artifact.ModelArtifact;
import java.nio.file.Path;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Decodes and validates each feed record: the decoded input goes on, a bad input becomes one
 * rejection record on the {@link Outputs#REJECTED} side output with its reason. Never throws for a
 * bad input. Reads only the model's manifest (channels, window, statistics), not its weights.
 */
public final class DecodeFunction extends ProcessFunction<FeedRecord, DecodedInput> {
  private static final long serialVersionUID = 1L;

  private final String modelDir;
  private final String engineJson;
  private final long maxInlineBytes;
  private final PathRoot root;

  private transient InputDecoder decoder;
  private transient Counter received;
  private transient Counter decoded;
  private transient Counter rejected;
  private transient Progress progress;
  private transient int sincePrune;

  /** Inputs between two prunings of the source's finished split metric groups. */
  static final int PRUNE_EVERY = 256;

  /**
   * @param modelDir the model directory (its model.json is read in open())
   * @param engine pixel and value caps
   * @param maxInlineBytes cap on base64 payloads
   */
  public DecodeFunction(Path modelDir, EngineConfig engine, long maxInlineBytes) {
    this(modelDir, engine, maxInlineBytes, null);
  }

  /**
   * @param modelDir the model directory (its model.json is read in open())
   * @param engine pixel and value caps
   * @param maxInlineBytes cap on base64 payloads
   * @param root the folder a record's file must stay in (the watched folder of the directory
   *     source), or null for no check here
   */
  public DecodeFunction(Path modelDir, EngineConfig engine, long maxInlineBytes, PathRoot root) {
    this.modelDir = modelDir.toString();
    this.engineJson = EngineSettings.toJson(Objects.requireNonNull(engine, "engine"));
    this.maxInlineBytes = maxInlineBytes;
    this.root = root;
  }

  @Override
  public void open(OpenContext ctx) throws Exception {
    decoder = new InputDecoder(ModelArtifact.readManifest(Path.of(modelDir)),
        EngineSettings.fromJson(engineJson), maxInlineBytes);
    received = getRuntimeContext().getMetricGroup().counter(Metrics.RECEIVED);
    decoded = getRuntimeContext().getMetricGroup().counter(Metrics.DECODED);
    rejected = getRuntimeContext().getMetricGroup().counter(Metrics.REJECTED);
    progress = Progress.of(getRuntimeContext());
  }

  @Override
  public void processElement(FeedRecord value, Context ctx, Collector<DecodedInput> out) {
    received.inc();
    progress.input();
    if (++sincePrune >= PRUNE_EVERY) {
      sincePrune = 0;
      SplitMetricGroups.pruneFinished(getRuntimeContext().getMetricGroup());
    }
    DecodeOutcome o;
    try {
      o = decoder.decode(root == null ? value : root.check(value));
    } catch (RejectedInputException e) {
      o = new DecodeOutcome.Rejected(Rejection.of(value.id(), value.source(), e));
    }
    if (o instanceof DecodeOutcome.Decoded d) {
      decoded.inc();
      out.collect(d.input());
    } else if (o instanceof DecodeOutcome.Rejected r) {
      rejected.inc();
      progress.output();
      ctx.output(Outputs.REJECTED, r.rejection());
    }
  }
}
