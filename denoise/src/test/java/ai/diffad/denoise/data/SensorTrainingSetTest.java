package ai.diffad.denoise.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.diffad.config.DataConfig;
import ai.diffad.config.DataFormat;
import ai.diffad.model.train.TrainingSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SensorTrainingSetTest {
  @TempDir Path dir;

  private static DataConfig sensor(int channels, int size, int stride) {
    return new DataConfig(DataFormat.SENSOR, channels, size, null, null, null, stride, null);
  }

  @Test
  void windowsFromAllFilesAreNormalisedWithPooledStats() throws Exception {
    Files.createDirectories(dir.resolve("a/b"));
    StringBuilder csv = new StringBuilder("time,value\n");
    for (int t = 0; t < 10; t++) {
      csv.append(t).append(',').append(t).append('\n');
    }
    Files.writeString(dir.resolve("a/one.csv"), csv);
    Files.writeString(dir.resolve("a/b/two.json"), "[10, 11, 12, 13, 14, 15]");
    Files.writeString(dir.resolve("a/notes.txt"), "ignored");

    TrainingSet set = TrainingSets.open(sensor(1, 4, 2), dir);

    assertThat(set).isInstanceOf(SensorTrainingSet.class);
    SensorTrainingSet s = (SensorTrainingSet) set;
    // 10 steps: starts 0, 2, 4, 6 -> 4 windows; 6 steps: starts 0, 2 -> 2 windows.
    assertThat(s.size()).isEqualTo(6);
    assertThat(s.height(0)).isEqualTo(1);
    assertThat(s.width(0)).isEqualTo(4);
    assertThat(s.item(0)).hasSize(4);
    // Pooled mean over 0..9 and 10..15 = (45 + 75) / 16 = 7.5.
    assertThat(s.stats().mean()[0]).isCloseTo(7.5, within(1e-9));
    double sd = s.stats().std()[0];
    // Files are read in sorted path order: a/b/two.json (10..15) comes before a/one.csv.
    assertThat(s.item(0)[0]).isCloseTo((float) ((10 - 7.5) / sd), within(1e-6f));
    assertThat(s.item(2)[0]).isCloseTo((float) ((0 - 7.5) / sd), within(1e-6f));
  }

  @Test
  void aRejectedTrainingFileFailsTheLoadNamingFileAndReason() throws Exception {
    Files.writeString(dir.resolve("good.csv"), "v\n1\n2\n3\n4\n");
    Files.writeString(dir.resolve("bad.csv"), "v\n1\nNaN\n3\n4\n");
    assertThatThrownBy(() -> TrainingSets.openSensor(sensor(1, 4, 1), dir, 1000))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("bad.csv")
        .hasMessageContaining("NON_FINITE_VALUES");
  }

  @Test
  void channelCountMustMatchTheConfiguration() throws Exception {
    Files.writeString(dir.resolve("two.csv"), "a,b\n1,2\n3,4\n5,6\n7,8\n");
    assertThatThrownBy(() -> TrainingSets.openSensor(sensor(1, 4, 1), dir, 1000))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("2 value column(s), the model takes 1");
  }
}
