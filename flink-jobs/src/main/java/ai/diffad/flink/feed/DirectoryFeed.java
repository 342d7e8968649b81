package ai.diffad.flink.feed;

import java.time.Duration;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.fs.Path;

/** The folder source: every new file under a folder (recursively) becomes one {@link FeedRecord}. */
public final class DirectoryFeed {
  private DirectoryFeed() {}

  /**
   * A file source over {@code dir}.
   *
   * @param dir the folder to read, recursively
   * @param monitorInterval how often to look for new files; null for a bounded source that reads
   *     the files present at start and ends
   */
  public static FileSource<FeedRecord> source(java.nio.file.Path dir, Duration monitorInterval) {
    java.nio.file.Path abs = dir.toAbsolutePath().normalize();
    FileSource.FileSourceBuilder<FeedRecord> b = FileSource.forBulkFileFormat(
        new DirectoryFeedFormat(abs), Path.fromLocalFile(abs.toFile()));
    if (monitorInterval != null) {
      b.monitorContinuously(monitorInterval);
    }
    return b.build();
  }
}
