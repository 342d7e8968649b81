package ai.diffad.flink.feed;

import ai.diffad.denoise.run.InputFiles;
import java.io.IOException;
import java.util.Optional;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.SingletonResultIterator;
import org.apache.flink.core.fs.Path;

/**
 * The file source's format for a watched folder: each file becomes one {@link FeedRecord} naming
 * it (the bytes are read by the decode step, not here, so no image travels through the source's
 * splits or state). The id is the path relative to the watched folder, with '/' separators
 * ({@code cam3/000123.png}); the source is its first folder ({@code cam3}), or null for a file at
 * the top.
 *
 * <p>Files whose names are not image or sensor files diffad reads (the endings {@code diffad score}
 * takes from a folder) are skipped, as are hidden files (names starting with '.' or '_', skipped
 * by the file source itself): write a file under such a name and rename it when complete. A
 * symbolic link to a folder is not walked into ({@link FolderEnumerator}) but becomes a record of
 * its own, whatever its name, so that the decode step rejects it with a reason ({@link PathRoot}).
 *
 * <p>Position: a split has one record, so the checkpointed position after it is "skip 1"; a split
 * restored at that position emits nothing, so no file is emitted twice.
 */
public final class DirectoryFeedFormat implements BulkFormat<FeedRecord, FileSourceSplit> {
  private static final long serialVersionUID = 1L;

  private final String root;

  /** @param root the watched folder */
  public DirectoryFeedFormat(java.nio.file.Path root) {
    this.root = root.toAbsolutePath().normalize().toString();
  }

  @Override
  public Reader<FeedRecord> createReader(Configuration config, FileSourceSplit split) {
    return new OneRecord(recordFor(split.path()).orElse(null));
  }

  @Override
  public Reader<FeedRecord> restoreReader(Configuration config, FileSourceSplit split) {
    Optional<CheckpointedPosition> pos = split.getReaderPosition();
    if (pos.isPresent() && pos.get().getRecordsAfterOffset() >= 1) {
      return new OneRecord(null);
    }
    return createReader(config, split);
  }

  @Override
  public boolean isSplittable() {
    return false;
  }

  @Override
  public TypeInformation<FeedRecord> getProducedType() {
    return TypeInformation.of(FeedRecord.class);
  }

  /** The record for one file, or empty if its name is not an input name. */
  Optional<FeedRecord> recordFor(Path file) {
    java.nio.file.Path p = java.nio.file.Path.of(file.toUri().getPath()).toAbsolutePath().normalize();
    if (!InputFiles.isInputName(p.getFileName().toString())
        && !(java.nio.file.Files.isSymbolicLink(p) && java.nio.file.Files.isDirectory(p))) {
      return Optional.empty(); // a link to a folder is an entry of its own, to be rejected
    }
    java.nio.file.Path base = java.nio.file.Path.of(root);
    java.nio.file.Path rel = p.startsWith(base) ? base.relativize(p) : p.getFileName();
    StringBuilder id = new StringBuilder();
    for (int i = 0; i < rel.getNameCount(); i++) {
      if (i > 0) {
        id.append('/');
      }
      id.append(rel.getName(i));
    }
    String source = rel.getNameCount() > 1 ? rel.getName(0).toString() : null;
    return Optional.of(FeedRecord.ofPath(id.toString(), source, p.toString()));
  }

  /** Emits one record (or none), then ends. */
  private static final class OneRecord implements BulkFormat.Reader<FeedRecord> {
    private FeedRecord pending;

    OneRecord(FeedRecord record) {
      this.pending = record;
    }

    @Override
    public RecordIterator<FeedRecord> readBatch() throws IOException {
      if (pending == null) {
        return null;
      }
      SingletonResultIterator<FeedRecord> it = new SingletonResultIterator<>();
      it.set(pending, CheckpointedPosition.NO_OFFSET, 1);
      pending = null;
      return it;
    }

    @Override
    public void close() {
      pending = null;
    }
  }
}
