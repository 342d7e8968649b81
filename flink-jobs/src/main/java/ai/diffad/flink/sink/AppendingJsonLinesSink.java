package ai.diffad.flink.sink;

import ai.diffad.denoise.record.JsonLines;
import ai.diffad.flink.batch.Ledger;
import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends records as JSON lines to one file that outlives the job, once per id: the batch job's
 * {@code scores.jsonl} and {@code rejected.jsonl}, which a later run over the same folder extends.
 *
 * <p>When its writer opens, it cuts a partial last line (a record a killed run was writing) and
 * reads the ids already in the file; a record whose id is there is not written again. So a task
 * that Flink restarts (replaying its input), and a run after an interrupted one, add each id at
 * most once. Each line is written as its record arrives and forced to disk at the end of input.
 * Run it with parallelism 1 (one file, one writer).
 *
 * @param <T> record type, serialized with {@link JsonLines#toJson}
 */
public final class AppendingJsonLinesSink<T> implements Sink<T> {
  private static final long serialVersionUID = 1L;

  /** The id of a record (serializable, for the job graph). */
  @FunctionalInterface
  public interface IdOf<T> extends Serializable {
    /** The record's id. */
    String id(T record);
  }

  private final String file;
  private final IdOf<T> idOf;

  /**
   * @param file the file (created with its folder if missing)
   * @param idOf the id of a record
   */
  public AppendingJsonLinesSink(Path file, IdOf<T> idOf) {
    this.file = file.toAbsolutePath().toString();
    this.idOf = idOf;
  }

  @Override
  public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
    if (context.getTaskInfo().getNumberOfParallelSubtasks() != 1) {
      throw new IllegalStateException("AppendingJsonLinesSink runs with parallelism 1, not "
          + context.getTaskInfo().getNumberOfParallelSubtasks());
    }
    return new Writer<>(Path.of(file), idOf);
  }

  /** Appends lines to the file, skipping ids it already holds. */
  public static final class Writer<T> implements SinkWriter<T> {
    private static final Logger LOG = LoggerFactory.getLogger(AppendingJsonLinesSink.class);

    private final Path file;
    private final IdOf<T> idOf;
    private final Set<String> ids;
    private final FileChannel channel;
    private long skipped;

    /** Opens {@code file} for appending after cutting a partial last line. */
    public Writer(Path file, IdOf<T> idOf) throws IOException {
      this.file = file;
      this.idOf = idOf;
      Files.createDirectories(file.toAbsolutePath().getParent());
      long cut = Ledger.cutPartialLine(file);
      if (cut > 0) {
        LOG.warn("{}: cut a partial last line of {} bytes (a record an interrupted run was writing)",
            file, cut);
      }
      this.ids = Ledger.ids(file);
      this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.APPEND);
    }

    @Override
    public void write(T element, Context context) throws IOException {
      String id = idOf.id(element);
      if (!ids.add(id)) {
        skipped++;
        LOG.info("{}: {} has a record already; not written again", file, id);
        return;
      }
      ByteBuffer b = ByteBuffer.wrap((JsonLines.toJson(element) + "\n").getBytes(StandardCharsets.UTF_8));
      while (b.hasRemaining()) {
        channel.write(b);
      }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
      channel.force(false);
    }

    /** Records not written because their id was there. */
    public long skipped() {
      return skipped;
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }
}
