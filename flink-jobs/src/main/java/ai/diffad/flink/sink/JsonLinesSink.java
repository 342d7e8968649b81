package ai.diffad.flink.sink;

import ai.diffad.denoise.record.JsonLines;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes records as JSON lines to one plain file ({@code scores.jsonl}, {@code rejected.jsonl}),
 * the same files {@code diffad score} writes. Each line is written and flushed as its record
 * arrives, so a user can {@code tail -f} the file while the job runs.
 *
 * <p>Exactly once in the file after a failure: the writer's checkpointed state is the file's
 * length at the checkpoint (flushed and forced to disk then). A job restored from that checkpoint
 * cuts the file back to that length before the records after the checkpoint are replayed, so the
 * file ends with each record once. A reader that watched the file during the failure may have
 * seen lines that are then cut and written again. A job started without a checkpoint starts the
 * file afresh (the source then reads every input again).
 *
 * <p>One file per subtask: the job runs this sink with parallelism 1 and the file is
 * {@code name}; at parallelism n > 1, subtask i writes {@code stem-i.jsonl}.
 *
 * @param <T> record type, serialized with {@link JsonLines#toJson}
 */
public final class JsonLinesSink<T> implements Sink<T>, SupportsWriterState<T, Long> {
  private static final long serialVersionUID = 1L;

  private final String dir;
  private final String name;

  /**
   * @param dir output folder (created if missing)
   * @param name file name, e.g. {@code scores.jsonl}
   */
  public JsonLinesSink(Path dir, String name) {
    this.dir = dir.toAbsolutePath().toString();
    this.name = name;
  }

  @Override
  public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
    return new Writer<>(file(context), 0L);
  }

  @Override
  public StatefulSinkWriter<T, Long> restoreWriter(WriterInitContext context,
      Collection<Long> recoveredState) throws IOException {
    long len = recoveredState.stream().mapToLong(Long::longValue).max().orElse(0L);
    return new Writer<>(file(context), len);
  }

  @Override
  public SimpleVersionedSerializer<Long> getWriterStateSerializer() {
    return new LengthSerializer();
  }

  /** The file subtask {@code subtask} of {@code parallelism} writes. */
  Path file(int subtask, int parallelism) {
    if (parallelism <= 1) {
      return Path.of(dir, name);
    }
    int dot = name.lastIndexOf('.');
    String stem = dot > 0 ? name.substring(0, dot) : name;
    String ext = dot > 0 ? name.substring(dot) : "";
    return Path.of(dir, stem + "-" + subtask + ext);
  }

  private Path file(WriterInitContext context) {
    return file(context.getTaskInfo().getIndexOfThisSubtask(),
        context.getTaskInfo().getNumberOfParallelSubtasks());
  }

  /** Appends lines to one file; its state is the file length. */
  static final class Writer<T> implements StatefulSinkWriter<T, Long> {
    private static final Logger LOG = LoggerFactory.getLogger(JsonLinesSink.class);

    private final Path file;
    private final FileChannel channel;
    private long length;

    /** Opens {@code file}, cut to {@code keep} bytes (0: a fresh file). */
    Writer(Path file, long keep) throws IOException {
      this.file = file;
      Files.createDirectories(file.toAbsolutePath().getParent());
      this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      long size = channel.size();
      if (size < keep) {
        LOG.warn("{} has {} bytes, fewer than the {} the checkpoint recorded; keeping them all",
            file, size, keep);
        keep = size;
      }
      channel.truncate(keep);
      channel.position(keep);
      this.length = keep;
    }

    @Override
    public void write(T element, Context context) throws IOException {
      ByteBuffer b = ByteBuffer.wrap((JsonLines.toJson(element) + "\n").getBytes(StandardCharsets.UTF_8));
      while (b.hasRemaining()) {
        length += channel.write(b);
      }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
      channel.force(false);
    }

    @Override
    public List<Long> snapshotState(long checkpointId) throws IOException {
      channel.force(false);
      return List.of(length);
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }

    @Override
    public String toString() {
      return "JsonLinesSink.Writer[" + file + ", " + length + " bytes]";
    }
  }

  /** The state: one long. */
  static final class LengthSerializer implements SimpleVersionedSerializer<Long> {
    @Override
    public int getVersion() {
      return 1;
    }

    @Override
    public byte[] serialize(Long obj) {
      return ByteBuffer.allocate(8).putLong(obj).array();
    }

    @Override
    public Long deserialize(int version, byte[] serialized) throws IOException {
      if (version != 1 || serialized.length != 8) {
        throw new IOException("unknown JsonLinesSink state: version " + version + ", "
            + serialized.length + " bytes");
      }
      return ByteBuffer.wrap(serialized).getLong();
    }
  }
}
