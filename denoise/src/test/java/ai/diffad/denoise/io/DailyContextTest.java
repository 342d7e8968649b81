package ai.diffad.denoise.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.diffad.config.DataConfig;
import ai.diffad.config.DataFormat;
import ai.diffad.config.SeriesContext;
import ai.diffad.denoise.record.RejectReason;
import ai.diffad.denoise.record.RejectedInputException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The daily context channel: the same time of day on every earlier day, from the timestamps. */
class DailyContextTest {
  private static List<String> every(int minutes, int rows) {
    List<String> ts = new ArrayList<>();
    LocalDateTime t = LocalDateTime.of(2015, 3, 1, 0, 0);
    for (int i = 0; i < rows; i++) {
      ts.add(t.plusMinutes((long) minutes * i).toString().replace('T', ' ') + ":00");
    }
    return ts;
  }

  @Test
  void rowsPerDayComeFromTheMedianStep() throws Exception {
    assertThat(DailyContext.rowsPerDay(every(5, 50))).isEqualTo(288);
    assertThat(DailyContext.rowsPerDay(every(60, 50))).isEqualTo(24);
    assertThat(DailyContext.rowsPerDay(every(30, 50))).isEqualTo(48);
    // A gap of a day and a few doubled or irregular rows do not move the median.
    List<String> gappy = new ArrayList<>(every(5, 40));
    gappy.addAll(every(5, 40).stream().map(s -> s.replace("2015-03-01", "2015-03-03")).toList());
    gappy.add(5, gappy.get(5));
    assertThat(DailyContext.rowsPerDay(gappy)).isEqualTo(288);
    // ISO-8601 with an offset, and epoch seconds.
    assertThat(DailyContext.rowsPerDay(List.of("2020-01-01T00:00:00Z", "2020-01-01T00:10:00Z",
        "2020-01-01T00:20:00+00:00"))).isEqualTo(144);
    assertThat(DailyContext.rowsPerDay(List.of("1000", "1600", "2200"))).isEqualTo(144);
    assertThat(DailyContext.rowsPerDay(List.of("7", "7"))).as("no step").isEqualTo(1);
    assertThatThrownBy(() -> DailyContext.rowsPerDay(List.of("2020-01-01 00:00:00", "soon")))
        .isInstanceOf(RejectedInputException.class)
        .hasMessageContaining("timestamp of row 2 is 'soon'")
        .satisfies(e -> assertThat(((RejectedInputException) e).reason())
            .isEqualTo(RejectReason.MALFORMED));
  }

  @Test
  void eachRowsContextIsTheMeanOfTheSameTimeOnEveryEarlierDay() {
    // Two channels of 7 rows, 2 rows per day; hand-computed:
    // a = 1..7: rows 0, 1 have no earlier day (0); row 2: a0 = 1; row 3: a1 = 2;
    // row 4: (a0 + a2) / 2 = 2; row 5: (a1 + a3) / 2 = 3; row 6: (a0 + a2 + a4) / 3 = 3.
    float[] v = {1, 2, 3, 4, 5, 6, 7, 10, 0, 20, 0, 60, 0, 0};
    float[] out = DailyContext.append(v, 2, 7, 2);
    assertThat(out).hasSize(28);
    assertThat(java.util.Arrays.copyOf(out, 14)).containsExactly(v);
    assertThat(java.util.Arrays.copyOfRange(out, 14, 21)).containsExactly(0, 0, 1, 2, 2, 3, 3);
    assertThat(java.util.Arrays.copyOfRange(out, 21, 28)).containsExactly(0, 0, 10, 0, 15, 0, 30);
    assertThat(DailyContext.append(new float[] {4, 5}, 1, 2, 9)).as("under a day")
        .containsExactly(4, 5, 0, 0);
  }

  @Test
  void aRowsContextNeverReadsThatRowOrALaterOne() {
    SplittableRandom rng = new SplittableRandom(3);
    float[] v = new float[200];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) rng.nextGaussian();
    }
    float[] base = DailyContext.append(v, 1, 200, 24);
    for (int k : new int[] {0, 30, 111, 199}) {
      float[] changed = v.clone();
      changed[k] += 100;
      float[] other = DailyContext.append(changed, 1, 200, 24);
      for (int r = 0; r <= k; r++) {
        assertThat(other[200 + r]).as("context of row %d after changing row %d", r, k)
            .isEqualTo(base[200 + r]);
      }
      if (k + 24 < 200) {
        assertThat(other[200 + k + 24]).isNotEqualTo(base[200 + k + 24]);
      }
    }
  }

  @Test
  void aModelWithContextBuildsItFromTheTimestampsOrTakesItAsGiven() throws Exception {
    DataConfig daily = new DataConfig(DataFormat.NAB, null, 8, null, false, false, 4, null, null,
        SeriesContext.DAILY);
    SensorStats stats = new SensorStats(new double[] {10, 0}, new double[] {2, 1});
    int n = 600;
    float[] raw = new float[n];
    for (int i = 0; i < n; i++) {
      raw[i] = 10 + (float) Math.sin(2 * Math.PI * i / 288);
    }
    float[] in = DailyContext.modelInput(daily, stats,
        new SensorSeries(raw, 1, n, every(5, n)));
    assertThat(in).hasSize(2 * n);
    // Normalised by the model's statistics ((x - 10) / 2), then the context of those values.
    assertThat((double) in[100]).isCloseTo(Math.sin(2 * Math.PI * 100 / 288) / 2, within(1e-6));
    assertThat((double) in[n + 100]).isZero();
    assertThat((double) in[n + 400]).isCloseTo(in[400 - 288], within(1e-6));
    assertThat((double) in[n + 590]).isCloseTo((in[590 - 288] + in[590 - 576]) / 2, within(1e-6));

    // Both channels given: normalised as they are, no timestamps needed.
    float[] both = new float[2 * n];
    System.arraycopy(raw, 0, both, 0, n);
    assertThat(DailyContext.modelInput(daily, stats, new SensorSeries(both, 2, n, null)))
        .containsExactly(stats.normalise(new SensorSeries(both, 2, n, null)));

    assertThatThrownBy(() -> DailyContext.modelInput(daily, stats,
        new SensorSeries(raw, 1, n, null)))
        .isInstanceOf(RejectedInputException.class)
        .hasMessageContaining("from the timestamps (data.context)")
        .hasMessageContaining("add a timestamp column");
    assertThatThrownBy(() -> DailyContext.modelInput(daily, stats,
        new SensorSeries(new float[3 * n], 3, n, null)))
        .isInstanceOf(RejectedInputException.class)
        .hasMessageContaining("series has 3 value column(s), the model takes 2 or 1 with"
            + " timestamps (data.context daily)");
    DataConfig none = new DataConfig(DataFormat.NAB, 1, 8, null, false, false, 4, null);
    assertThatThrownBy(() -> DailyContext.modelInput(none, null,
        new SensorSeries(both, 2, n, every(5, n))))
        .isInstanceOf(RejectedInputException.class)
        .hasMessageContaining("series has 2 value column(s), the model takes 1");
  }
}
