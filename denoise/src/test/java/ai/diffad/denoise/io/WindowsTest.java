package ai.diffad.denoise.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.diffad.denoise.record.RejectReason;
import ai.diffad.denoise.record.RejectedInputException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WindowsTest {
  @Test
  void windowsCoverEveryTimeStepWithTheLastAlignedToTheEnd() {
    for (int length = 8; length <= 40; length++) {
      for (int stride = 1; stride <= 10; stride++) {
        int[] s = Windows.starts(length, 8, stride);
        boolean[] covered = new boolean[length];
        for (int start : s) {
          assertThat(start + 8).isLessThanOrEqualTo(length);
          for (int t = start; t < start + 8; t++) {
            covered[t] = true;
          }
        }
        for (int t = 0; t < length; t++) {
          assertThat(covered[t]).as("L=%d S=%d step %d", length, stride, t).isTrue();
        }
        assertThat(s[s.length - 1]).isEqualTo(length - 8);
      }
    }
  }

  @Test
  void startsAreStrideApartPlusOneEndAlignedWindow() {
    assertThat(Windows.starts(10, 4, 3)).containsExactly(0, 3, 6);
    assertThat(Windows.starts(11, 4, 3)).containsExactly(0, 3, 6, 7);
    assertThat(Windows.starts(4, 4, 2)).containsExactly(0);
  }

  @Test
  void cutNormalisesPerChannelAndKeepsChannelMajorLayout() throws Exception {
    // Channel 0: 0..9, channel 1: 100 + 2t.
    float[] v = new float[20];
    for (int t = 0; t < 10; t++) {
      v[t] = t;
      v[10 + t] = 100 + 2 * t;
    }
    SensorSeries s = new SensorSeries(v, 2, 10, null);
    SensorStats stats = SensorStats.of(List.of(s));
    assertThat(stats.mean()[0]).isCloseTo(4.5, within(1e-9));
    assertThat(stats.mean()[1]).isCloseTo(109.0, within(1e-9));
    double sd0 = Math.sqrt(8.25); // population std of 0..9
    assertThat(stats.std()[0]).isCloseTo(sd0, within(1e-9));
    assertThat(stats.std()[1]).isCloseTo(2 * sd0, within(1e-9));

    Windows w = Windows.cut(s, 4, 4, stats);
    assertThat(w.starts()).containsExactly(0, 4, 6);
    float[] second = w.windows().get(1); // steps 4..7
    assertThat(second[0]).isCloseTo((float) ((4 - 4.5) / sd0), within(1e-6f));
    assertThat(second[4]).as("channel 1, step 4").isCloseTo((float) ((108 - 109) / (2 * sd0)),
        within(1e-6f));
  }

  @Test
  void constantChannelNormalisesToZeroInsteadOfDividingByZero() {
    SensorSeries s = new SensorSeries(new float[] {5, 5, 5}, 1, 3, null);
    SensorStats stats = SensorStats.of(List.of(s));
    assertThat(stats.std()[0]).isEqualTo(1.0);
    assertThat(stats.normalise(s)).containsExactly(0f, 0f, 0f);
  }

  @Test
  void tooShortSeriesAndWrongChannelsAreRejected() {
    SensorStats one = new SensorStats(new double[] {0}, new double[] {1});
    SensorSeries s = new SensorSeries(new float[] {1, 2, 3}, 1, 3, null);
    assertThatThrownBy(() -> Windows.cut(s, 4, 1, one))
        .isInstanceOf(RejectedInputException.class)
        .satisfies(e -> assertThat(((RejectedInputException) e).reason())
            .isEqualTo(RejectReason.TOO_SHORT));
    SensorStats two = new SensorStats(new double[] {0, 0}, new double[] {1, 1});
    assertThatThrownBy(() -> Windows.cut(s, 2, 1, two))
        .isInstanceOf(RejectedInputException.class)
        .hasMessageContaining("1 value column(s), the model takes 2");
  }

  @Test
  void stitchAveragesOverlappingWindowsPerStep() throws Exception {
    SensorSeries s = new SensorSeries(new float[6], 1, 6, null);
    SensorStats id = new SensorStats(new double[] {0}, new double[] {1});
    Windows w = Windows.cut(s, 4, 2, id); // starts 0, 2
    List<float[]> errs = new ArrayList<>();
    errs.add(new float[] {1, 1, 1, 1});
    errs.add(new float[] {3, 3, 3, 3});
    assertThat(w.stitch(errs)).containsExactly(1f, 1f, 2f, 2f, 3f, 3f);
  }

  @Test
  void statsRecordSerialisesAsPlainArrays() throws Exception {
    SensorStats stats = new SensorStats(new double[] {1.5, -2}, new double[] {0.5, 3});
    var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    String json = mapper.writeValueAsString(stats);
    assertThat(json).isEqualTo("{\"mean\":[1.5,-2.0],\"std\":[0.5,3.0]}");
    assertThat(mapper.readValue(json, SensorStats.class)).isEqualTo(stats);
  }
}
