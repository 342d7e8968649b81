package ai.diffad.flink.feed;

import ai.diffad.denoise.record.RejectReason;
import ai.diffad.denoise.record.RejectedInputException;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * The folder that feed records naming a file must stay in (the Kafka source's
 * {@code allowedPathRoot}): a producer of the input topic must not make the job read any file the
 * worker can. Relative paths are taken from the root; {@code ..} segments are resolved first, and
 * an existing file is also checked after following links, so neither can lead out of it. A path
 * must name a regular file (or a link to one inside the root): a folder, a link to a folder, a
 * dangling or looping link, a pipe or a device is rejected (UNREADABLE) rather than read. The
 * folder sources use the same check with their folder as the root.
 *
 * <p>The check is made when the record is checked, the file read a little later: someone who can
 * change the folder between the two can still swap a file for a link. The root protects against
 * what a record names, not against a hostile owner of the folder.
 */
public final class PathRoot implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String root;
  private final String setting;

  /**
   * @param root the allowed folder
   * @param setting the configuration field that set it, for messages
   */
  public PathRoot(Path root, String setting) {
    this.root = root.toAbsolutePath().normalize().toString();
    this.setting = setting;
  }

  /** The root. */
  public Path root() {
    return Path.of(root);
  }

  /**
   * {@code r} with its path made absolute, if it lies under the root; records without a path are
   * returned as they are.
   *
   * @throws RejectedInputException UNREADABLE for a path outside the root (or not a path at all)
   */
  public FeedRecord check(FeedRecord r) throws RejectedInputException {
    if (r.path() == null) {
      return r;
    }
    Path base = Path.of(root);
    Path p;
    try {
      p = Path.of(r.path());
    } catch (InvalidPathException e) {
      throw new RejectedInputException(RejectReason.UNREADABLE, "not a valid path: " + e.getMessage());
    }
    Path abs = (p.isAbsolute() ? p : base.resolve(p)).normalize();
    if (!abs.startsWith(base)) {
      throw outside(r.path());
    }
    if (Files.exists(abs)) {
      try {
        Path realBase = Files.exists(base) ? base.toRealPath() : base;
        if (!abs.toRealPath().startsWith(realBase)) {
          throw new RejectedInputException(RejectReason.UNREADABLE, "path " + r.path()
              + " leads through a link to " + abs.toRealPath() + ", outside the allowed root "
              + root + " (" + setting + ")");
        }
      } catch (IOException e) {
        throw new RejectedInputException(RejectReason.UNREADABLE, "cannot resolve " + r.path()
            + ": " + e.getMessage());
      }
      if (Files.isDirectory(abs)) {
        throw new RejectedInputException(RejectReason.UNREADABLE, "path " + r.path()
            + (Files.isSymbolicLink(abs)
                ? " is a link to a folder; links to folders are not followed (they would read"
                    + " files twice, or forever through a loop)"
                : " is a folder, not a file"));
      }
      if (!Files.isRegularFile(abs)) {
        throw new RejectedInputException(RejectReason.UNREADABLE, "path " + r.path()
            + " is not a regular file (a pipe or device is not read)");
      }
    } else if (Files.isSymbolicLink(abs)) {
      throw new RejectedInputException(RejectReason.UNREADABLE, "path " + r.path()
          + " is a link that leads nowhere (its target is missing, or links loop)");
    }
    return new FeedRecord(r.id(), r.source(), abs.toString(), r.base64(), r.tensor());
  }

  private RejectedInputException outside(String path) {
    return new RejectedInputException(RejectReason.UNREADABLE, "path " + path
        + " is outside the allowed root " + root + " (" + setting + ")");
  }

  @Override
  public String toString() {
    return "PathRoot[" + root + "]";
  }
}
