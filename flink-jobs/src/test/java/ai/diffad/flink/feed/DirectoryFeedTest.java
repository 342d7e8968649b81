package ai.diffad.flink.feed;

import static org.assertj.core.api.Assertions.assertThat;

import ai.diffad.flink.FlinkEnvironments;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryFeedTest {
  @TempDir Path dir;

  private List<String> listed(Path root, boolean recursive) throws Exception {
    org.apache.flink.core.fs.Path r = org.apache.flink.core.fs.Path.fromLocalFile(root.toFile());
    String base = root.toAbsolutePath().toString();
    return new FolderEnumerator(recursive).enumerateSplits(new org.apache.flink.core.fs.Path[] {r}, 1)
        .stream().map(FileSourceSplit::path).map(p -> p.toUri().getPath().substring(base.length() + 1))
        .sorted().toList();
  }

  @Test
  void aNonRecursiveFeedTakesTheTopLevelFilesOnly() throws Exception {
    for (String f : List.of("a.png", "b.png", "_hidden.png", ".tmp.png", "cam1/c.png", "cam1/deep/d.png")) {
      Files.createDirectories(dir.resolve(f).getParent());
      Files.writeString(dir.resolve(f), "x");
    }
    assertThat(listed(dir, false)).containsExactly("a.png", "b.png");
    assertThat(listed(dir, true)).containsExactly("a.png", "b.png", "cam1/c.png", "cam1/deep/d.png");
    // the source itself builds (the enumerator's provider must be serializable with it)
    org.apache.flink.util.InstantiationUtil.clone(DirectoryFeed.source(dir, null, false));
    org.apache.flink.util.InstantiationUtil.clone(DirectoryFeed.source(dir, null, true));
  }

  /**
   * Links are listed as themselves, once, and never walked into: a link to a folder outside, a loop
   * back to the folder and a link to a file outside each give one entry; nothing behind them is
   * listed. Hidden folders are not walked either.
   */
  @Test
  void linksAreListedOnceAndNeverWalkedInto(@TempDir Path elsewhere) throws Exception {
    Files.writeString(elsewhere.resolve("secret.png"), "x");
    Files.createDirectories(dir.resolve("cam/.hidden"));
    Files.writeString(dir.resolve("cam/a b.png"), "x");
    Files.writeString(dir.resolve("cam/.hidden/h.png"), "x");
    Files.createSymbolicLink(dir.resolve("outdir"), elsewhere);
    Files.createSymbolicLink(dir.resolve("cam/loop"), dir);
    Files.createSymbolicLink(dir.resolve("cam/out.png"), elsewhere.resolve("secret.png"));
    assertThat(listed(dir, true)).containsExactly("cam/a b.png", "cam/loop", "cam/out.png", "outdir");
    // a folder given as a link is read (the user named it)
    Path linked = Files.createSymbolicLink(elsewhere.resolve("linked"), dir.resolve("cam"));
    assertThat(listed(linked, true)).containsExactly("a b.png", "loop", "out.png");
  }

  private static FileSourceSplit split(String name) {
    return new FileSourceSplit(name, new org.apache.flink.core.fs.Path("/x/" + name), 0, 1, 0, 1);
  }

  /** Files are handed out first listed, first read; a later scan's files after the earlier ones. */
  @Test
  void theAssignerHandsOutSplitsInTheOrderListed() {
    InOrderSplitAssigner a = new InOrderSplitAssigner(List.of(split("a"), split("b"), split("c")));
    assertThat(a.getNext(null).orElseThrow().splitId()).isEqualTo("a");
    a.addSplits(List.of(split("d"), split("e")));
    assertThat(a.remainingSplits()).extracting(FileSourceSplit::splitId)
        .containsExactly("b", "c", "d", "e");
    List<String> rest = new ArrayList<>();
    a.getNext("host").ifPresent(x -> rest.add(x.splitId()));
    a.getNext(null).ifPresent(x -> rest.add(x.splitId()));
    a.getNext(null).ifPresent(x -> rest.add(x.splitId()));
    a.getNext(null).ifPresent(x -> rest.add(x.splitId()));
    assertThat(rest).containsExactly("b", "c", "d", "e");
    assertThat(a.getNext(null)).isEmpty();
  }

  /**
   * Through Flink's file source with one reader: the records come in name order, folder by folder
   * (Flink's default assigner, a hash set, gave this folder in a scrambled order).
   */
  @Test
  void aBoundedFeedReadByOneReaderComesInNameOrder() throws Exception {
    List<String> expected = new ArrayList<>();
    for (String cam : List.of("cam-a", "cam-b")) {
      for (int i = 0; i < 40; i++) {
        String name = cam + "/" + String.format(Locale.ROOT, "%06d.csv", i * 64);
        Files.createDirectories(dir.resolve(name).getParent());
        Files.writeString(dir.resolve(name), "value\n1\n");
        expected.add(name);
      }
    }
    StreamExecutionEnvironment env = FlinkEnvironments.local(new Configuration(), 1,
        FlinkEnvironments.freePort(FlinkEnvironments.WEB_UI_PORT));
    env.setParallelism(1);
    List<String> got = new ArrayList<>();
    try (CloseableIterator<FeedRecord> it = env.fromSource(DirectoryFeed.source(dir, null, true),
        WatermarkStrategy.noWatermarks(), "feed").executeAndCollect()) {
      it.forEachRemaining(r -> got.add(r.id()));
    }
    assertThat(got).containsExactlyElementsOf(expected);
  }
}
