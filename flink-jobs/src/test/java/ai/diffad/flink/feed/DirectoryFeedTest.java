package ai.diffad.flink.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.enumerate.NonSplittingRecursiveEnumerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryFeedTest {
  @TempDir Path dir;

  @Test
  void aNonRecursiveFeedTakesTheTopLevelFilesOnly() throws Exception {
    for (String f : List.of("a.png", "b.png", "_hidden.png", ".tmp.png", "cam1/c.png", "cam1/deep/d.png")) {
      Files.createDirectories(dir.resolve(f).getParent());
      Files.writeString(dir.resolve(f), "x");
    }
    org.apache.flink.core.fs.Path root = org.apache.flink.core.fs.Path.fromLocalFile(dir.toFile());
    var filter = new DirectoryFeed.TopLevelOnly(root.toUri().getPath());
    List<String> names = new NonSplittingRecursiveEnumerator(filter)
        .enumerateSplits(new org.apache.flink.core.fs.Path[] {root}, 1).stream()
        .map(FileSourceSplit::path).map(p -> p.getName()).sorted().toList();
    assertThat(names).containsExactly("a.png", "b.png");
    // the source itself builds (the filter must be serializable with it)
    org.apache.flink.util.InstantiationUtil.clone(DirectoryFeed.source(dir, null, false));
  }
}
