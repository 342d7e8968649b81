package ai.diffad.denoise.calibrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.diffad.config.EngineConfig;
import ai.diffad.config.MapKind;
import ai.diffad.config.NoiseConfig;
import ai.diffad.config.NoiseKind;
import ai.diffad.config.SamplerKind;
import ai.diffad.config.ScoreReduction;
import ai.diffad.model.artifact.ArtifactException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibrationStoreTest {
  @TempDir Path dir;

  private static EngineConfig engine(int tStar, SamplerKind sampler, MapKind map,
      ScoreReduction score, NoiseConfig noise) {
    return EngineConfig.builder().tStar(tStar).noise(noise).sampler(sampler).steps(10).map(map)
        .reduction(score).topKPercent(5.0).build();
  }

  @Test
  void aCalibrationSurvivesTheRoundTripThroughTheFile() throws IOException {
    ScoreSettings settings = ScoreSettings.of(engine(100, SamplerKind.DDPM, MapKind.MIX,
        ScoreReduction.TOP_K, new NoiseConfig(NoiseKind.SIMPLEX, 4, 0.5, 32.0)));
    Calibration quantile = Calibrator.fromNormalScores(new double[] {0.3, 0.1, 0.2}, 0.9, settings);
    Path file = CalibrationStore.write(dir, quantile);
    assertThat(file).isEqualTo(dir.resolve("calibration.json"));
    assertThat(CalibrationStore.read(dir)).contains(quantile);
    assertThat(Files.readString(file)).contains("\"method\" : \"quantile\"")
        .contains("\"sampler\" : \"ddpm\"");
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(file); // no temporary file left behind
    }

    Calibration f1 = Calibrator.fromLabelled(
        new double[] {1, 2, 3}, new boolean[] {false, true, true}, settings);
    CalibrationStore.write(dir, f1); // replaces
    assertThat(CalibrationStore.read(dir)).contains(f1);
  }

  @Test
  void anUncalibratedModelReadsAsEmpty() {
    assertThat(CalibrationStore.read(dir)).isEmpty();
  }

  @Test
  void aCorruptFileIsRefusedNamingTheFile() throws IOException {
    Files.writeString(dir.resolve("calibration.json"), "{\"formatVersion\": 1, \"method\": ");
    assertThatThrownBy(() -> CalibrationStore.read(dir))
        .isInstanceOf(ArtifactException.class)
        .hasMessageContaining(dir.resolve("calibration.json").toString())
        .hasMessageContaining("not a valid calibration");
    Files.writeString(dir.resolve("calibration.json"), "{\"formatVersion\": 1, \"threshold\": 2}");
    assertThatThrownBy(() -> CalibrationStore.read(dir))
        .isInstanceOf(ArtifactException.class)
        .hasMessageContaining("calibration.json")
        .hasMessageContaining("not a valid calibration");
    Files.writeString(dir.resolve("calibration.json"), "{\"formatVersion\": 7}");
    assertThatThrownBy(() -> CalibrationStore.read(dir))
        .hasMessageContaining("unsupported formatVersion 7");
  }

  @Test
  void aCalibrationMadeWithOtherSettingsIsRefusedNamingTheSettings() {
    ScoreSettings made = ScoreSettings.of(engine(250, SamplerKind.DDIM, MapKind.L1,
        ScoreReduction.MAX, NoiseConfig.gaussian()));
    Calibration cal = Calibrator.fromNormalScores(new double[] {1, 2, 3}, 0.99, made);
    cal.requireSettings(made); // same settings: accepted
    // Seed, batch size and ignored options (top-k share with score = max) do not matter.
    cal.requireSettings(ScoreSettings.of(EngineConfig.builder().tStar(250)
        .sampler(SamplerKind.DDIM).steps(10).seed(99L).batchSize(2).tileSize(64).tileOverlap(0.5)
        .map(MapKind.L1).reduction(ScoreReduction.MAX).topKPercent(50.0).build()));

    ScoreSettings now = ScoreSettings.of(engine(100, SamplerKind.DDIM, MapKind.L2,
        ScoreReduction.MAX, NoiseConfig.gaussian()));
    assertThat(cal.differences(now)).containsExactly(
        "tStar: calibrated with 250, now 100", "map: calibrated with l1, now l2");
    assertThatThrownBy(() -> cal.requireSettings(now))
        .isInstanceOf(CalibrationMismatchException.class)
        .hasMessageContaining("tStar: calibrated with 250, now 100")
        .hasMessageContaining("map: calibrated with l1, now l2")
        .satisfies(e -> assertThat(((CalibrationMismatchException) e).differences()).hasSize(2));

    ScoreSettings topK = ScoreSettings.of(engine(250, SamplerKind.DDIM, MapKind.L1,
        ScoreReduction.TOP_K, NoiseConfig.gaussian()));
    assertThat(cal.differences(topK)).isEqualTo(List.of(
        "score: calibrated with max, now top-k", "topKPercent: calibrated with none, now 5.0"));
  }
}
