package ai.diffad.flink.batch;

import ai.diffad.denoise.io.DecodedImage;
import ai.diffad.denoise.io.ImageDecoder;
import ai.diffad.denoise.record.RejectReason;
import ai.diffad.denoise.record.RejectedInputException;
import ai.diffad.denoise.record.Rejection;
import ai.diffad.flink.feed.FeedRecord;
import ai.diffad.flink.feed.PathRoot;
import ai.diffad.flink.operators.Metrics;
import ai.diffad.flink.operators.Outputs;
import ai.diffad.flink.operators.Progress;
import ai.diffad.model.artifact.ModelArtifact;
import java.nio.file.Path;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Decodes each image file of the batch job, keeping what the denoised file needs to come out like
 * it; a file that cannot be decoded becomes one rejection on {@link Outputs#REJECTED} (EMPTY,
 * DECODE_FAILED, TOO_LARGE, UNREADABLE, ...), and so does a file the input folder's {@link
 * PathRoot} refuses (a link out of the folder, a folder link). Reads the model's manifest
 * (channels) in open().
 */
public final class ImageDecodeFunction extends ProcessFunction<FeedRecord, ImageInput> {
  private static final long serialVersionUID = 1L;

  private final String modelDir;
  private final long maxPixels;
  private final PathRoot root;

  private transient ImageDecoder decoder;
  private transient int channels;
  private transient Counter received;
  private transient Counter decoded;
  private transient Counter rejected;
  private transient Progress progress;
  private transient int sincePrune;

  /**
   * @param modelDir the model directory
   * @param maxPixels pixel cap checked on the header before decoding
   * @param root the input folder: a record whose file leads outside it (through a link), or that
   *     is a folder link, a dangling link or not a regular file, is rejected (UNREADABLE)
   */
  public ImageDecodeFunction(Path modelDir, long maxPixels, PathRoot root) {
    this.modelDir = modelDir.toAbsolutePath().toString();
    this.maxPixels = maxPixels;
    this.root = java.util.Objects.requireNonNull(root, "root");
  }

  @Override
  public void open(OpenContext ctx) throws Exception {
    decoder = new ImageDecoder(maxPixels);
    channels = ModelArtifact.readManifest(Path.of(modelDir)).input().channels();
    received = getRuntimeContext().getMetricGroup().counter(Metrics.RECEIVED);
    decoded = getRuntimeContext().getMetricGroup().counter(Metrics.DECODED);
    rejected = getRuntimeContext().getMetricGroup().counter(Metrics.REJECTED);
    progress = Progress.of(getRuntimeContext());
  }

  @Override
  public void processElement(FeedRecord r, Context ctx, Collector<ImageInput> out) {
    long receivedAt = System.currentTimeMillis();
    long t0 = System.nanoTime();
    received.inc();
    progress.input();
    if (++sincePrune >= 256) {
      sincePrune = 0;
      ai.diffad.flink.operators.SplitMetricGroups.pruneFinished(getRuntimeContext().getMetricGroup());
    }
    Rejection rejection;
    try {
      DecodedImage img = decoder.decode(Path.of(root.check(r).path()));
      double ms = Math.round((System.nanoTime() - t0) / 1e4) / 100.0;
      decoded.inc();
      out.collect(ImageInput.of(r.id(), r.source(), img, channels, ms, receivedAt));
      return;
    } catch (RejectedInputException e) {
      rejection = Rejection.of(r.id(), r.source(), e);
    } catch (RuntimeException e) {
      rejection = Rejection.of(r.id(), r.source(), RejectReason.PROCESSING_FAILED,
          e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    rejected.inc();
    progress.output();
    ctx.output(Outputs.REJECTED, rejection);
  }
}
