package ai.diffad.flink.feed;

import java.time.Duration;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.fs.Path;

/**
 * The folder source: every new file under a folder becomes one {@link FeedRecord}. Symbolic links
 * are listed as themselves and not walked into ({@link FolderEnumerator}); the decode steps check
 * each record against the folder with {@link PathRoot}.
 */
public final class DirectoryFeed {
  private DirectoryFeed() {}

  /**
   * A file source over {@code dir} and its sub-folders.
   *
   * @param dir the folder to read, recursively
   * @param monitorInterval how often to look for new files; null for a bounded source that reads
   *     the files present at start and ends
   */
  public static FileSource<FeedRecord> source(java.nio.file.Path dir, Duration monitorInterval) {
    return source(dir, monitorInterval, true);
  }

  /**
   * A file source over {@code dir}.
   *
   * @param dir the folder to read
   * @param monitorInterval how often to look for new files; null for a bounded source
   * @param recursive whether files in sub-folders count too
   */
  public static FileSource<FeedRecord> source(java.nio.file.Path dir, Duration monitorInterval,
      boolean recursive) {
    java.nio.file.Path abs = dir.toAbsolutePath().normalize();
    Path root = Path.fromLocalFile(abs.toFile());
    FileSource.FileSourceBuilder<FeedRecord> b = FileSource.forBulkFileFormat(
        new DirectoryFeedFormat(abs), root);
    b.setFileEnumerator(recursive ? () -> new FolderEnumerator(true) : () -> new FolderEnumerator(false));
    b.setSplitAssigner(InOrderSplitAssigner::new);
    if (monitorInterval != null) {
      b.monitorContinuously(monitorInterval);
    }
    return b.build();
  }
}
