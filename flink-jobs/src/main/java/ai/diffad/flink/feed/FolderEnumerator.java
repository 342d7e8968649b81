package ai.diffad.flink.feed;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.enumerate.FileEnumerator;
import org.apache.flink.core.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lists the entries of a local folder for the folder source, one split each, without following
 * symbolic links: a link (to a file or a folder, inside or outside the folder, dangling or a loop)
 * is listed as itself, once, and never walked into. Whether a link is read is decided later, on
 * its record, by {@link PathRoot#check}: a link to a file inside the folder is read like the
 * file; a link leading outside, to a folder, or nowhere is rejected with a reason. Flink's own
 * enumerator follows links to folders, so a link to the folder's parent read files outside it and
 * a link loop listed the same files under ever longer names until the system's link limit.
 *
 * <p>Names starting with '.' or '_' are skipped (files and folders), like Flink's default filter:
 * write a file under such a name and rename it when complete. Other entries that are neither
 * folders nor links (pipes, devices) are listed too, so that they are rejected rather than read.
 */
final class FolderEnumerator implements FileEnumerator {
  private static final Logger LOG = LoggerFactory.getLogger(FolderEnumerator.class);

  private final boolean recursive;
  /** Split ids: unique within this enumerator and, by the prefix, across restarts. */
  private final String prefix = Long.toHexString(ThreadLocalRandom.current().nextLong()) + "-";
  private long next;

  /** @param recursive whether sub-folders are read too (else the top level only) */
  FolderEnumerator(boolean recursive) {
    this.recursive = recursive;
  }

  @Override
  public Collection<FileSourceSplit> enumerateSplits(Path[] paths, int minDesiredSplits)
      throws IOException {
    List<FileSourceSplit> out = new ArrayList<>();
    for (Path p : paths) {
      java.nio.file.Path root = java.nio.file.Path.of(p.toUri().getPath());
      if (Files.isDirectory(root)) { // the folder itself may be a link: it was named by the user
        list(root, out);
      }
    }
    return out;
  }

  private void list(java.nio.file.Path dir, List<FileSourceSplit> out) {
    List<java.nio.file.Path> entries = new ArrayList<>();
    try (DirectoryStream<java.nio.file.Path> s = Files.newDirectoryStream(dir)) {
      s.forEach(entries::add);
    } catch (java.nio.file.NoSuchFileException e) {
      return; // removed since it was listed (a processed folder emptied): nothing to read
    } catch (IOException | RuntimeException e) {
      LOG.warn("cannot list {}: {}", dir, e.toString());
      return;
    }
    entries.sort(null);
    for (java.nio.file.Path e : entries) {
      String name = e.getFileName().toString();
      if (name.startsWith(".") || name.startsWith("_")) {
        continue;
      }
      BasicFileAttributes a;
      try {
        a = Files.readAttributes(e, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      } catch (java.nio.file.NoSuchFileException ex) {
        continue; // removed since it was listed
      } catch (IOException | RuntimeException ex) {
        LOG.warn("cannot read the attributes of {}: {}", e, ex.toString());
        continue;
      }
      if (a.isDirectory()) {
        if (recursive) {
          list(e, out);
        }
        continue;
      }
      // Not Path.fromLocalFile: File.toURI ends a link to a folder with '/', as if it were one.
      out.add(new FileSourceSplit(prefix + (next++), new Path("file", null, e.toAbsolutePath().toString()), 0,
          a.isRegularFile() ? a.size() : 0, a.lastModifiedTime().toMillis(),
          a.isRegularFile() ? a.size() : 0));
    }
  }
}
