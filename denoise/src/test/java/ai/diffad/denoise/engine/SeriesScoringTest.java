package ai.diffad.denoise.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.diffad.config.EngineConfig;
import ai.diffad.config.DataConfig;
import ai.diffad.config.DataFormat;
import ai.diffad.config.DiffadConfig;
import ai.diffad.config.MapKind;
import ai.diffad.config.NetworkConfig;
import ai.diffad.config.NetworkKind;
import ai.diffad.config.PredictionType;
import ai.diffad.config.ScheduleConfig;
import ai.diffad.config.ScheduleKind;
import ai.diffad.config.ScoreReduction;
import ai.diffad.config.TrainingConfig;
import ai.diffad.denoise.data.InMemoryTrainingSet;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.train.Trainer;
import ai.djl.Device;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Series scoring on a tiny 1-D U-Net trained in the test on two-channel sine windows. */
class SeriesScoringTest {
  private static final int WINDOW = 32;
  private static final int STRIDE = 8;

  @TempDir Path dir;

  private static float[] sines(int length, double phase) {
    float[] x = new float[2 * length];
    for (int i = 0; i < length; i++) {
      x[i] = (float) (0.7 * Math.sin(2 * Math.PI * i / 16.0 + phase));
      x[length + i] = (float) (0.7 * Math.cos(2 * Math.PI * i / 16.0 + phase));
    }
    return x;
  }

  @Test
  void aSpikeInAPeriodicSeriesGetsTheHighestStepScoreAndWindowsCoverTheSeries() {
    SplittableRandom rng = new SplittableRandom(1);
    List<InMemoryTrainingSet.Item> items = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      items.add(new InMemoryTrainingSet.Item(sines(96, rng.nextDouble() * 2 * Math.PI), 1, 96, -1));
    }
    DiffadConfig config = new DiffadConfig("sines", ScheduleConfig.of(ScheduleKind.LINEAR, 1000),
        PredictionType.EPSILON,
        new NetworkConfig(NetworkKind.UNET1D, 16, List.of(1, 2), 1, List.of(), 8, 0, 0.0),
        new TrainingConfig(200, 8, 2e-3, 0.0, 20, null, 1.0, 0.99, 3L, 0, 50, null, 0, 300,
            null),
        new DataConfig(DataFormat.SENSOR, 2, WINDOW, null, false, false, STRIDE, null));
    Path out = Trainer.builder()
        .setConfig(config)
        .setData(new InMemoryTrainingSet(items, 2, "sines"))
        .setOutputDir(dir.resolve("m"))
        .optProgressBar(false)
        .build()
        .run()
        .artifact();

    int length = 100;
    float[] series = sines(length, 0.3);
    series[60] = 2.5f;
    series[length + 60] = -2.5f;
    try (LoadedModel model = ModelArtifact.load(out, Device.cpu())) {
      AnomalyEngine engine = new AnomalyEngine(model, EngineConfig.builder().tStar(100).steps(5)
          .map(MapKind.L1).smoothSigma(1.0).reduction(ScoreReduction.MAX).build());
      AnomalyEngine.SeriesScoreResult r = engine.scoreSeries(series, 2, length, "s");

      assertThat(r.perStep()).hasSize(length);
      assertThat(r.reconstruction()).hasSize(2 * length);
      assertThat(Math.abs(AnomalyMaps.argmax(r.perStep()) - 60)).isLessThanOrEqualTo(2);
      // windows of 32 with stride 8: starts 0..64, plus one ending at 100
      assertThat(r.windows().starts()).containsExactly(0, 8, 16, 24, 32, 40, 48, 56, 64, 68);
      assertThat(r.windows().length()).isEqualTo(WINDOW);
      double[] ws = r.windows().scores();
      assertThat(ws[0]).isLessThan(ws[6]); // [48, 80) holds the spike, [0, 32) does not
      assertThat(r.score()).isEqualTo(AnomalyMaps.score(r.perStep(), ScoreReduction.MAX, 1));
      assertThatThrownBy(() -> engine.score(new float[WINDOW * WINDOW], 1, WINDOW, WINDOW, "i"))
          .hasMessageContaining("sensor model");
    }
  }
}
