package ai.diffad.dashboard;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The one folder the dashboard serves images from (a results folder of {@code stream},
 * {@code score} or {@code batch}), and the two directions between its files and the web:
 *
 * <ul>
 *   <li>{@link #relativeOf}: a record's {@code outputs.overlay} / {@code outputs.map} (a path as
 *       the job wrote it, absolute or relative to the job's working folder) to a path relative to
 *       the folder, which the page asks for as {@code /img/REL};
 *   <li>{@link #resolve}: a requested {@code REL} (raw, still URL-encoded) to a file, refused
 *       unless it is a plain relative path of PNG/JPEG file names below the folder whose real
 *       location (symbolic links followed) is below the folder's real location: {@code ..},
 *       {@code .}, empty segments, absolute paths, backslashes, NUL, doubly encoded text
 *       ({@code %25}), hidden files and links pointing outside all come back empty.
 * </ul>
 */
public final class ResultsFiles {
  /** Folders of a results folder that hold per-image files (ImageOutputs). */
  static final List<String> IMAGE_FOLDERS = List.of("overlays", "maps", "denoised");
  private static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg");

  private final Path root;
  private final Path realRoot;

  /** @param root the folder (null: none, nothing is served) */
  public ResultsFiles(Path root) throws IOException {
    this.root = root == null ? null : root.toAbsolutePath().normalize();
    this.realRoot = root == null ? null : this.root.toRealPath();
  }

  /** The folder, or null. */
  public Path root() {
    return root;
  }

  /**
   * The path below the folder, '/'-separated, of a file a record names; null if there is no
   * folder, no path, or the path is not below it. A relative path is tried against the working
   * folder first, then by its part from the last {@code overlays/}, {@code maps/} or
   * {@code denoised/} on (a job that ran in another folder).
   */
  public String relativeOf(String recorded) {
    if (root == null || recorded == null || recorded.isBlank()) {
      return null;
    }
    Path p;
    try {
      p = Path.of(recorded);
    } catch (InvalidPathException e) {
      return null;
    }
    Path abs = p.toAbsolutePath().normalize();
    if (abs.startsWith(root) && !abs.equals(root)) {
      return slashes(root.relativize(abs));
    }
    // Written by a job whose working folder was another: find the images' folder in the path.
    int from = -1;
    for (int i = p.getNameCount() - 1; i >= 0 && from < 0; i--) {
      if (IMAGE_FOLDERS.contains(p.getName(i).toString())) {
        from = i;
      }
    }
    if (from < 0 || from == p.getNameCount() - 1) {
      return null;
    }
    Path rel = p.subpath(from, p.getNameCount()).normalize();
    return rel.startsWith("..") ? null : slashes(rel);
  }

  /**
   * The file for a requested path below the folder, given raw (URL-encoded, '/'-separated); empty
   * when it is refused or is not a regular file.
   */
  public Optional<Path> resolve(String rawRelative) {
    if (root == null || rawRelative == null || rawRelative.isEmpty() || rawRelative.length() > 4096) {
      return Optional.empty();
    }
    String rel;
    try {
      // %2F, %2E and friends decode to the characters checked below; '+' stays a plus.
      rel = URLDecoder.decode(rawRelative.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    if (rel.indexOf('%') >= 0 || rel.indexOf('\\') >= 0 || rel.indexOf('\0') >= 0
        || rel.startsWith("/") || rel.indexOf(':') >= 0) {
      return Optional.empty();
    }
    String[] parts = rel.split("/", -1);
    for (String s : parts) {
      if (s.isEmpty() || s.equals(".") || s.equals("..") || s.startsWith(".")) {
        return Optional.empty();
      }
    }
    String last = parts[parts.length - 1];
    int dot = last.lastIndexOf('.');
    if (dot < 0 || !EXTENSIONS.contains(last.substring(dot + 1).toLowerCase(Locale.ROOT))) {
      return Optional.empty();
    }
    Path f;
    try {
      f = root.resolve(rel).normalize();
    } catch (InvalidPathException e) {
      return Optional.empty();
    }
    if (!f.startsWith(root)) {
      return Optional.empty();
    }
    try {
      Path real = f.toRealPath();
      if (!real.startsWith(realRoot) || !Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
        return Optional.empty();
      }
      return Optional.of(real);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static String slashes(Path rel) {
    StringBuilder sb = new StringBuilder();
    for (Path part : rel) {
      if (sb.length() > 0) {
        sb.append('/');
      }
      sb.append(part);
    }
    return sb.toString();
  }
}
