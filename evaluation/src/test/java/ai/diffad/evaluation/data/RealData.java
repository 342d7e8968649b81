package ai.diffad.evaluation.data;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates {@code ../shared/data/<name>} from the repository root or the module folder. */
final class RealData {
  private RealData() {}

  static Path dir(String name) {
    for (String base : new String[] {"../shared/data", "../../shared/data"}) {
      Path p = Path.of(base, name);
      if (Files.isDirectory(p)) {
        return p;
      }
    }
    return Path.of("../shared/data", name);
  }
}
