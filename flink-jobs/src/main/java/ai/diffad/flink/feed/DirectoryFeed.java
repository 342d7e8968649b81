package ai.diffad.flink.feed;

import java.io.Serializable;
import java.time.Duration;
import java.util.function.Predicate;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.enumerate.NonSplittingRecursiveEnumerator;
import org.apache.flink.core.fs.Path;

/** The folder source: every new file under a folder becomes one {@link FeedRecord}. */
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
    if (!recursive) {
      TopLevelOnly filter = new TopLevelOnly(root.toUri().getPath());
      b.setFileEnumerator(() -> new NonSplittingRecursiveEnumerator(filter));
    }
    if (monitorInterval != null) {
      b.monitorContinuously(monitorInterval);
    }
    return b.build();
  }

  /**
   * Accepts the root, its files and its sub-folders (whose files it then refuses), skipping hidden
   * names ('.' or '_' first) like the default filter.
   */
  static final class TopLevelOnly implements Predicate<Path>, Serializable {
    private static final long serialVersionUID = 1L;
    private final String root;

    TopLevelOnly(String root) {
      this.root = strip(root);
    }

    @Override
    public boolean test(Path p) {
      String path = strip(p.toUri().getPath());
      if (path.equals(root)) {
        return true;
      }
      Path parent = p.getParent();
      return parent != null && strip(parent.toUri().getPath()).equals(root) && !p.getName().startsWith(".") && !p.getName().startsWith("_");
    }

    private static String strip(String s) {
      return s.endsWith("/") && s.length() > 1 ? s.substring(0, s.length() - 1) : s;
    }
  }
}
