package ai.diffad.flink.batch;

import ai.diffad.denoise.data.TrainingSets;
import ai.diffad.flink.feed.FeedRecord;
import ai.diffad.flink.operators.Metrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFilterFunction;
import org.apache.flink.metrics.Counter;

/**
 * Lets through the inputs the batch job still has to do: image files (by name) that are not
 * complete from an earlier run. Complete means: a record with the input's id in
 * {@code scores.jsonl} and its denoised file present, or a record in {@code rejected.jsonl}
 * (a rejection stands until {@code --retry-rejected}). The ids are read once per subtask in
 * {@link #open}; the client has repaired the files before (see {@link BatchJob#prepare()}).
 */
public final class SkipCompleted extends RichFilterFunction<FeedRecord> {
  private static final long serialVersionUID = 1L;

  /** Accumulator of skipped inputs. */
  public static final String SKIPPED = "diffad.batch.skipped";

  private final String output;

  private transient Set<String> scored;
  private transient Set<String> rejected;
  private transient Counter skipped;
  private transient LongCounter skippedTotal;

  /** @param output the job's output folder */
  public SkipCompleted(Path output) {
    this.output = output.toAbsolutePath().toString();
  }

  @Override
  public void open(OpenContext ctx) throws Exception {
    Path out = Path.of(output);
    scored = Ledger.ids(out.resolve(BatchJob.SCORES));
    rejected = Ledger.ids(out.resolve(BatchJob.REJECTED));
    skipped = getRuntimeContext().getMetricGroup().counter(Metrics.SKIPPED);
    skippedTotal = getRuntimeContext().getLongCounter(SKIPPED);
  }

  @Override
  public boolean filter(FeedRecord r) {
    String name = r.id().toLowerCase(Locale.ROOT);
    if (TrainingSets.IMAGE_ENDINGS.stream().noneMatch(name::endsWith)
        && !Files.isSymbolicLink(Path.of(r.path()))) {
      return false; // a sensor file: not for the denoiser (a folder link goes on, to be rejected)
    }
    if (rejected.contains(r.id()) || (scored.contains(r.id()) && denoisedFileExists(r.id()))) {
      skipped.inc();
      skippedTotal.add(1L);
      return false;
    }
    return true;
  }

  private boolean denoisedFileExists(String id) {
    try {
      return Files.isRegularFile(BatchJob.outputFor(Path.of(output), id));
    } catch (IllegalArgumentException e) {
      return false; // an id that leads outside: never complete, rejected by the denoise step
    }
  }
}
