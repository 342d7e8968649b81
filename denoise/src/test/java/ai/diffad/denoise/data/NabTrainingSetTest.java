package ai.diffad.denoise.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.diffad.config.DataConfig;
import ai.diffad.config.DataFormat;
import ai.diffad.config.ConfigException;
import ai.diffad.model.train.TrainingSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** data.format nab: only the probationary part of each series, each normalised on its own. */
class NabTrainingSetTest {
  @TempDir Path dir;

  private void write(String rel, int rows, IntToDoubleFunction value) throws IOException {
    Path f = dir.resolve("data").resolve(rel);
    Files.createDirectories(f.getParent());
    StringBuilder sb = new StringBuilder("timestamp,value\n");
    LocalDateTime t = LocalDateTime.of(2015, 1, 1, 0, 0);
    for (int i = 0; i < rows; i++) {
      sb.append(t.plusMinutes(5L * i).toString().replace('T', ' ')).append(":00,")
          .append(value.applyAsDouble(i)).append('\n');
    }
    Files.writeString(f, sb);
  }

  private static DataConfig nab(int size, int stride) {
    return new DataConfig(DataFormat.NAB, 1, size, null, false, false, stride, null);
  }

  @Test
  void probationaryPeriodIsFifteenPercentCappedAt750Rows() {
    assertThat(NabTrainingSet.probationaryRows(200)).isEqualTo(30);
    assertThat(NabTrainingSet.probationaryRows(1126)).isEqualTo(168);
    assertThat(NabTrainingSet.probationaryRows(5000)).isEqualTo(750);
    assertThat(NabTrainingSet.probationaryRows(22695)).isEqualTo(750);
  }

  @Test
  void onlyTheProbationaryPartOfEachSeriesIsReadAndEachIsNormalisedByItsOwnStatistics()
      throws Exception {
    // a: 200 rows, probation 30 rows of 0..29, then 1000s that must never reach training.
    write("groupA/a.csv", 200, i -> i < 30 ? i : 1000.0);
    // b: 6000 rows, probation capped at 750 rows alternating 99/101, then 1e6.
    write("groupB/b.csv", 6000, i -> i < 750 ? (i % 2 == 0 ? 101 : 99) : 1e6);
    Files.createDirectories(dir.resolve("labels"));
    Files.writeString(dir.resolve("labels/combined_windows.json"), "{}");

    TrainingSet set = TrainingSets.open(nab(8, 4), dir);

    assertThat(set).isInstanceOf(NabTrainingSet.class);
    NabTrainingSet nab = (NabTrainingSet) set;
    assertThat(nab.channels()).isEqualTo(1);
    assertThat(nab.channelMean()).containsExactly(0.0);
    assertThat(nab.channelStd()).containsExactly(1.0);
    assertThat(nab.parts()).hasSize(2);
    NabTrainingSet.Part a = nab.parts().get(0);
    NabTrainingSet.Part b = nab.parts().get(1);
    assertThat(a.file().toString()).endsWith("a.csv");
    assertThat(a.probationRows()).isEqualTo(30);
    assertThat(a.mean()).isCloseTo(14.5, within(1e-9));
    double sdA = Math.sqrt((30.0 * 30.0 - 1) / 12.0);
    assertThat(a.std()).isCloseTo(sdA, within(1e-9));
    // starts 0, 4, ..., 20 and one ending at row 29 (start 22)
    assertThat(a.windows()).isEqualTo(7);
    assertThat(b.probationRows()).isEqualTo(750);
    assertThat(b.mean()).isCloseTo(100.0, within(1e-9));
    assertThat(b.std()).isCloseTo(1.0, within(1e-9));
    assertThat(b.windows()).isEqualTo(187); // starts 0..740 by 4, plus 742
    assertThat(nab.size()).isEqualTo(7 + 187);

    // a's windows: rows 0..29 normalised by a's statistics, in order
    for (int w = 0; w < 6; w++) {
      float[] item = nab.item(w);
      assertThat(item).hasSize(8);
      for (int k = 0; k < 8; k++) {
        assertThat((double) item[k]).isCloseTo((4 * w + k - 14.5) / sdA, within(1e-5));
      }
    }
    assertThat((double) nab.item(6)[7]).isCloseTo((29 - 14.5) / sdA, within(1e-5));
    // b's windows: +-1 only; nothing from after the probationary part of either series
    for (int w = 7; w < nab.size(); w++) {
      for (float v : nab.item(w)) {
        assertThat(Math.abs(v)).isCloseTo(1.0f, within(1e-4f));
      }
    }
    // the evaluation normalises whole series the same way
    double[] whole = new double[200];
    for (int i = 0; i < 200; i++) {
      whole[i] = i < 30 ? i : 1000.0;
    }
    float[] norm = NabTrainingSet.normalise(whole);
    assertThat((double) norm[3]).isCloseTo((3 - 14.5) / sdA, within(1e-5));
    assertThat((double) norm[150]).isCloseTo((1000 - 14.5) / sdA, within(1e-3));
  }

  @Test
  void aProbationaryPartShorterThanOneWindowIsRefusedNamingTheFile() throws Exception {
    write("g/short.csv", 100, i -> i); // probation 15 rows < 16
    assertThatThrownBy(() -> TrainingSets.open(nab(16, 4), dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("short.csv")
        .hasMessageContaining("probationary part has 15 rows");
  }

  @Test
  void aDailyContextIsASecondChannelBuiltFromTheProbationaryPartOnly() throws Exception {
    // 5-minute rows (288 a day), 6000 rows: probation 750 rows of a daily sine plus a trend, then
    // rows that must never reach training.
    write("g/daily.csv", 6000, i -> i < 750 ? Math.sin(2 * Math.PI * i / 288) + i / 500.0 : 1e6);
    DataConfig daily = new DataConfig(DataFormat.NAB, null, 8, null, false, false, 4, null, null,
        ai.diffad.config.SeriesContext.DAILY);
    NabTrainingSet set = (NabTrainingSet) TrainingSets.open(daily, dir);
    assertThat(set.channels()).isEqualTo(2);
    assertThat(set.channelMean()).containsExactly(0.0, 0.0);
    assertThat(set.channelStd()).containsExactly(1.0, 1.0);
    // Windows end at rows 295, 299, ..., 747: a day into probation, so no context row is empty.
    assertThat(set.size()).isEqualTo((747 - 295) / 4 + 1);
    double[] whole = new double[6000];
    for (int i = 0; i < 6000; i++) {
      whole[i] = i < 750 ? Math.sin(2 * Math.PI * i / 288) + i / 500.0 : 1e6;
    }
    float[] norm = NabTrainingSet.normalise(whole);
    for (int w : new int[] {0, 50, set.size() - 1}) {
      float[] item = set.item(w);
      assertThat(item).hasSize(16);
      int end = 295 + 4 * w;
      for (int k = 0; k < 8; k++) {
        int r = end - 7 + k;
        double sum = 0;
        int days = 0;
        for (int e = r - 288; e >= 0; e -= 288) {
          sum += norm[e];
          days++;
        }
        assertThat((double) item[k]).isCloseTo(norm[r], within(1e-5));
        assertThat((double) item[8 + k]).as("context of row %d", r)
            .isCloseTo(sum / days, within(1e-5));
      }
    }
    assertThat(set.description()).contains("with daily context");
  }

  @Test
  void nabDataAreOneChannel() {
    assertThatThrownBy(() -> new DataConfig(DataFormat.NAB, 2, 16, null, null, null, 4, null))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("channels");
  }
}
