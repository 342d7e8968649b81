package ai.diffad.flink.kafka;

import ai.diffad.denoise.record.RejectedInputException;
import ai.diffad.denoise.record.Rejection;
import ai.diffad.flink.feed.FeedRecord;
import ai.diffad.flink.feed.PathRoot;
import ai.diffad.flink.operators.Outputs;
import ai.diffad.flink.operators.Progress;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Parses each Kafka message into a {@link FeedRecord}: a message that is not a valid feed record
 * (not JSON, fields missing or conflicting, base64 over the cap) becomes one rejection on
 * {@link Outputs#REJECTED}, named by its id if one can be read, else by
 * {@code topic/partition/offset}; a record naming a file outside the allowed root is rejected as
 * UNREADABLE. Never throws for a bad message, so none can stop the job.
 */
public final class ParseFunction extends ProcessFunction<KafkaMessage, FeedRecord> {
  private static final long serialVersionUID = 1L;

  private final long maxInlineBytes;
  private final PathRoot allowedRoot;

  private transient Counter rejected;
  private transient Progress progress;

  /**
   * @param maxInlineBytes cap on the decoded size of base64 payloads
   * @param allowedRoot the folder paths must lie in, or null for any path
   */
  public ParseFunction(long maxInlineBytes, PathRoot allowedRoot) {
    this.maxInlineBytes = maxInlineBytes;
    this.allowedRoot = allowedRoot;
  }

  @Override
  public void open(OpenContext ctx) {
    rejected = getRuntimeContext().getMetricGroup().counter("messagesRejected");
    progress = Progress.of(getRuntimeContext());
  }

  @Override
  public void processElement(KafkaMessage m, Context ctx, Collector<FeedRecord> out) {
    Parsed p = parse(m, maxInlineBytes, allowedRoot);
    if (p.rejection() != null) {
      rejected.inc();
      progress.input();
      progress.output();
      ctx.output(Outputs.REJECTED, p.rejection());
      return;
    }
    out.collect(p.record());
  }

  /**
   * What one message gives: the record, or its one rejection (exactly one of the two is set).
   *
   * @param record the parsed (and, with a root, resolved) record, or null
   * @param rejection the rejection, or null
   */
  public record Parsed(FeedRecord record, Rejection rejection) {}

  /**
   * Parses one message as {@link #processElement} does, without a Flink runtime (the fuzzer and
   * tools call it); never throws for a bad message.
   *
   * @param allowedRoot the folder paths must lie in, or null for any path
   */
  public static Parsed parse(KafkaMessage m, long maxInlineBytes, PathRoot allowedRoot) {
    try {
      FeedRecord r = FeedRecord.parse(m.json(), maxInlineBytes, m.origin());
      if (allowedRoot != null) {
        r = allowedRoot.check(r);
      }
      return new Parsed(r, null);
    } catch (RejectedInputException e) {
      String id = m.json() == null ? m.origin() : FeedRecord.idOf(m.json(), m.origin());
      return new Parsed(null, Rejection.of(id, m.json() == null ? null : FeedRecord.sourceOf(m.json()),
          e.reason(), e.detail() + " (message " + m.origin() + ")"));
    }
  }
}
