package ai.diffad.flink.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.RecordAndPosition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryFeedFormatTest {
  @TempDir Path root;

  private FileSourceSplit split(Path file) throws Exception {
    return new FileSourceSplit("1", org.apache.flink.core.fs.Path.fromLocalFile(file.toFile()), 0,
        Files.size(file), 0, Files.size(file));
  }

  private static List<RecordAndPosition<FeedRecord>> readAll(BulkFormat.Reader<FeedRecord> r) throws Exception {
    List<RecordAndPosition<FeedRecord>> out = new ArrayList<>();
    BulkFormat.RecordIterator<FeedRecord> it;
    while ((it = r.readBatch()) != null) {
      RecordAndPosition<FeedRecord> rp;
      while ((rp = it.next()) != null) {
        out.add(new RecordAndPosition<>(rp.getRecord(), rp.getOffset(), rp.getRecordSkipCount()));
      }
      it.releaseBatch();
    }
    r.close();
    return out;
  }

  @Test
  void eachFileIsOneRecordNamedByItsPathBelowTheRootAndItsFirstFolder() throws Exception {
    Path f = root.resolve("cam 3/day1/0001 a.png");
    Files.createDirectories(f.getParent());
    Files.write(f, new byte[] {1});
    DirectoryFeedFormat format = new DirectoryFeedFormat(root);
    List<RecordAndPosition<FeedRecord>> recs = readAll(format.createReader(new Configuration(), split(f)));
    assertThat(recs).hasSize(1);
    FeedRecord r = recs.get(0).getRecord();
    assertThat(r.id()).isEqualTo("cam 3/day1/0001 a.png");
    assertThat(r.source()).isEqualTo("cam 3");
    assertThat(Path.of(r.path())).isEqualTo(f.toAbsolutePath());
    assertThat(recs.get(0).getRecordSkipCount()).isEqualTo(1);

    Path top = Files.write(root.resolve("top.PNG"), new byte[] {1});
    FeedRecord t = readAll(format.createReader(new Configuration(), split(top))).get(0).getRecord();
    assertThat(t.id()).isEqualTo("top.PNG");
    assertThat(t.source()).isNull();
  }

  @Test
  void aSplitRestoredAfterItsRecordEmitsNothingAndOtherNamesAreSkipped() throws Exception {
    Path f = Files.write(root.resolve("a.png"), new byte[] {1});
    DirectoryFeedFormat format = new DirectoryFeedFormat(root);
    FileSourceSplit done = split(f).updateWithCheckpointedPosition(
        new CheckpointedPosition(CheckpointedPosition.NO_OFFSET, 1));
    assertThat(readAll(format.restoreReader(new Configuration(), done))).isEmpty();
    FileSourceSplit fresh = split(f).updateWithCheckpointedPosition(
        new CheckpointedPosition(CheckpointedPosition.NO_OFFSET, 0));
    assertThat(readAll(format.restoreReader(new Configuration(), fresh))).hasSize(1);

    Path txt = Files.write(root.resolve("notes.txt"), new byte[] {1});
    assertThat(readAll(format.createReader(new Configuration(), split(txt)))).isEmpty();
  }
}
