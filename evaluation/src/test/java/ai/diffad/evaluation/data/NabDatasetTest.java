package ai.diffad.evaluation.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.diffad.evaluation.metrics.IndexWindow;
import ai.diffad.evaluation.metrics.NabScorer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NabDatasetTest {
  @TempDir Path tmp;

  private void write(String rel, String text) throws IOException {
    Path p = tmp.resolve(rel);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
  }

  private static String series(int rows) {
    StringBuilder b = new StringBuilder("timestamp,value\n");
    for (int i = 0; i < rows; i++) {
      b.append(String.format("2014-04-01 00:%02d:00,%d.5%n", i * 5, i));
    }
    return b.toString();
  }

  @Test
  void readsSeriesAndTurnsWindowsIntoInclusiveRowRanges() throws IOException {
    write("data/g1/a.csv", series(10));
    write("data/g2/b.csv", series(4));
    write("labels/combined_windows.json", """
        {"g1/a.csv": [["2014-04-01 00:10:00.000000", "2014-04-01 00:20:00.000000"],
                      ["2014-04-01 00:32:00.000000", "2014-04-01 00:45:00.000000"]],
         "g2/b.csv": []}
        """);
    List<NabDataset.NabSeries> all = NabDataset.open(tmp);
    assertThat(all).extracting(NabDataset.NabSeries::key).containsExactly("g1/a.csv", "g2/b.csv");
    NabDataset.NabSeries a = all.get(0);
    assertThat(a.rows()).isEqualTo(10);
    assertThat(a.values()[3]).isEqualTo(3.5);
    assertThat(a.timestamps()[2]).isEqualTo(LocalDateTime.of(2014, 4, 1, 0, 10));
    // 00:10-00:20 -> rows 2..4; 00:32-00:45 -> first row at/after 00:32 is 7 (00:35), last 9.
    assertThat(a.windows()).containsExactly(new IndexWindow(2, 4), new IndexWindow(7, 9));
    assertThat(all.get(1).windows()).isEmpty();
  }

  @Test
  void seriesWithoutLabelsIsRefusedNamingIt() throws IOException {
    write("data/g1/a.csv", series(3));
    write("labels/combined_windows.json", "{}");
    assertThatThrownBy(() -> NabDataset.open(tmp))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("no window list for 'g1/a.csv'");
  }

  @Test
  void realNabMatchesItsManifest() throws IOException {
    Path root = RealData.dir("nab");
    assumeTrue(Files.isDirectory(root), "../shared/data/nab not present: skipped");
    List<NabDataset.NabSeries> all = NabDataset.open(root);
    assertThat(all).hasSize(58);
    assertThat(all.stream().mapToInt(NabDataset.NabSeries::rows).sum()).isEqualTo(365_558);
    assertThat(all.stream().mapToInt(s -> s.windows().size()).sum()).isEqualTo(116);
    assertThat(all.stream().filter(s -> s.windows().isEmpty())).hasSize(6);
    // Every window maps to rows inside its series.
    for (NabDataset.NabSeries s : all) {
      for (IndexWindow w : s.windows()) {
        assertThat(w.end()).isLessThan(s.rows());
      }
    }
    // On the real corpus the null detector scores 0 and flagging each window start scores 100.
    NabScorer nab = NabScorer.standard();
    List<NabScorer.SeriesScore> none = new ArrayList<>();
    List<NabScorer.SeriesScore> starts = new ArrayList<>();
    for (NabDataset.NabSeries s : all) {
      none.add(nab.score(new boolean[s.rows()], s.windows()));
      boolean[] d = new boolean[s.rows()];
      s.windows().forEach(w -> d[w.start()] = true);
      starts.add(nab.score(d, s.windows()));
    }
    assertThat(nab.normalised(none)).isEqualTo(0.0);
    assertThat(nab.normalised(starts)).isCloseTo(100.0, within(1e-9));
  }
}
