package ai.diffad.evaluation.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SkabDatasetTest {
  @TempDir Path tmp;

  private static final String HEADER = "datetime;Accelerometer1RMS;Accelerometer2RMS;Current;"
      + "Pressure;Temperature;Thermocouple;Voltage;Volume Flow RateRMS";

  private void labelled(String rel, int rows, int anomalyFrom) throws IOException {
    StringBuilder b = new StringBuilder(HEADER + ";anomaly;changepoint\n");
    for (int i = 0; i < rows; i++) {
      b.append(String.format("2020-03-09 10:%02d:%02d", (i / 60) % 60, i % 60));
      for (int k = 0; k < 8; k++) {
        b.append(';').append(i + k / 10.0);
      }
      b.append(i >= anomalyFrom ? ";1.0" : ";0.0").append(i == anomalyFrom ? ";1.0" : ";0.0");
      b.append('\n');
    }
    Path p = tmp.resolve(rel);
    Files.createDirectories(p.getParent());
    Files.writeString(p, b.toString());
  }

  private void fake() throws IOException {
    labelled("valve1/10.csv", 3, 1);
    labelled("valve1/2.csv", 3, 1);
    labelled("valve1/0.csv", 405, 402);
    labelled("valve2/0.csv", 3, 2);
    labelled("other/1.csv", 3, 0);
    Path free = tmp.resolve("anomaly-free/anomaly-free.csv");
    Files.createDirectories(free.getParent());
    Files.writeString(free, HEADER + "\n2020-02-08 13:30:47;1;2;3;4;5;6;7;8\n");
  }

  @Test
  void readsLabelledSeriesInFolderAndNumericOrder() throws IOException {
    fake();
    List<SkabDataset.SkabSeries> all = SkabDataset.labelled(tmp);
    assertThat(all).extracting(SkabDataset.SkabSeries::key).containsExactly(
        "valve1/0.csv", "valve1/2.csv", "valve1/10.csv", "valve2/0.csv", "other/1.csv");
    SkabDataset.SkabSeries s = all.get(0);
    assertThat(s.sensorNames()).hasSize(8).startsWith("Accelerometer1RMS")
        .endsWith("Volume Flow RateRMS");
    assertThat(s.sensors()[401][7]).isEqualTo(401.7);
    assertThat(s.anomaly()[401]).isFalse();
    assertThat(s.anomaly()[402]).isTrue();
    assertThat(s.changepoint()[402]).isTrue();
    assertThat(s.changepoint()[403]).isFalse();
  }

  @Test
  void protocolSplitsTheFirst400RowsForFitting() throws IOException {
    fake();
    SkabDataset.SkabSeries s = SkabDataset.labelled(tmp).get(0);
    assertThat(s.trainSensors()).hasNumberOfRows(400);
    assertThat(s.testSensors()).hasNumberOfRows(5);
    assertThat(s.testSensors()[0][0]).isEqualTo(400.0);
    assertThat(s.testAnomaly()).containsExactly(false, false, true, true, true);
  }

  @Test
  void anomalyFreeFileHasNoLabels() throws IOException {
    fake();
    SkabDataset.SkabSeries free = SkabDataset.anomalyFree(tmp);
    assertThat(free.rows()).isEqualTo(1);
    assertThat(free.sensors()[0]).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
    assertThat(free.anomaly()).containsExactly(false);
  }

  @Test
  void missingFolderIsRefusedNamingIt() {
    assertThatThrownBy(() -> SkabDataset.labelled(tmp))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("valve1");
  }

  @Test
  void realSkabMatchesItsManifest() throws IOException {
    Path root = RealData.dir("skab");
    assumeTrue(Files.isDirectory(root), "../shared/data/skab not present: skipped");
    List<SkabDataset.SkabSeries> all = SkabDataset.labelled(root);
    assertThat(all).hasSize(34);
    assertThat(all.stream().filter(s -> s.key().startsWith("valve1/"))).hasSize(16);
    assertThat(all.stream().filter(s -> s.key().startsWith("valve2/"))).hasSize(4);
    assertThat(all.stream().filter(s -> s.key().startsWith("other/"))).hasSize(14);
    for (SkabDataset.SkabSeries s : all) {
      assertThat(s.sensorNames()).hasSize(8);
      assertThat(s.rows()).isGreaterThan(SkabDataset.TRAIN_ROWS);
    }
    assertThat(SkabDataset.anomalyFree(root).sensorNames()).hasSize(8);
  }
}
