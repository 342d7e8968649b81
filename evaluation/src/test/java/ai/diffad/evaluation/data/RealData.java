package ai.diffad.evaluation.data;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates {@code shared/data/<name>}: under {@code $DIFFAD_SHARED} when set (a checkout that does
 * not sit beside {@code shared/}, e.g. a git worktree elsewhere), else {@code ../shared/data} from
 * the repository root or the module folder.
 */
public final class RealData {
  private RealData() {}

  /** The folder {@code shared/data/<name>}; it may not exist (tests then skip). */
  public static Path dir(String name) {
    String env = System.getenv("DIFFAD_SHARED");
    if (env != null && !env.isBlank()) {
      return Path.of(env, "data", name);
    }
    for (String base : new String[] {"../shared/data", "../../shared/data"}) {
      Path p = Path.of(base, name);
      if (Files.isDirectory(p)) {
        return p;
      }
    }
    return Path.of("../shared/data", name);
  }
}
