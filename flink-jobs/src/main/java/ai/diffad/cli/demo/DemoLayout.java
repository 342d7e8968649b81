package ai.diffad.cli.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

/**
 * The demo's output folder (only these entries are ever deleted or replaced):
 *
 * <pre>
 * model/          the small model (kept between runs; --fresh retrains) and its calibration.json
 * inspection/     the test images by camera (cam1/, cam2/), truth.csv and masks/ of the defects
 * calibration/    the held-out normal images the threshold was learned on, and their scores
 * stream.yaml     the stream configuration the job ran with (diffad stream --config)
 * incoming/       the watched folder the images were dropped into
 * results/        scores.jsonl, rejected.jsonl, alerts.jsonl, maps/, overlays/ (the job's output)
 * summary.txt     the summary printed at the end
 * </pre>
 *
 * @param dir the output folder (absolute, normalised)
 */
public record DemoLayout(Path dir) {
  public DemoLayout {
    dir = dir.toAbsolutePath().normalize();
  }

  /**
   * Creates the folder and deletes what an earlier run left in it, except the model (which
   * {@link DemoModel#prepare} reuses or replaces).
   */
  public static DemoLayout clean(Path out) throws IOException {
    DemoLayout at = new DemoLayout(out);
    Files.createDirectories(at.dir());
    for (Path p : List.of(at.inspection(), at.calibration(), at.incoming(), at.results(), at.streamYaml(),
        at.summary())) {
      deleteTree(p);
    }
    return at;
  }

  public Path model() {
    return dir.resolve("model");
  }

  public Path inspection() {
    return dir.resolve("inspection");
  }

  public Path calibration() {
    return dir.resolve("calibration");
  }

  public Path incoming() {
    return dir.resolve("incoming");
  }

  public Path results() {
    return dir.resolve("results");
  }

  public Path streamYaml() {
    return dir.resolve("stream.yaml");
  }

  public Path summary() {
    return dir.resolve("summary.txt");
  }

  /** Deletes a file or a folder with everything in it; nothing if it does not exist. */
  public static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (var s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }
}
