package ai.diffad.denoise.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.diffad.config.DataConfig;
import ai.diffad.config.DataFormat;
import ai.diffad.config.DiffadConfig;
import ai.diffad.config.EngineConfig;
import ai.diffad.config.MapKind;
import ai.diffad.config.NetworkConfig;
import ai.diffad.config.PredictionType;
import ai.diffad.config.ScheduleConfig;
import ai.diffad.config.ScheduleKind;
import ai.diffad.denoise.calibrate.Calibration;
import ai.diffad.denoise.calibrate.Calibrator;
import ai.diffad.denoise.calibrate.ScoreSettings;
import ai.diffad.denoise.engine.AnomalyEngine;
import ai.diffad.denoise.record.DecodedInput;
import ai.diffad.denoise.record.RejectReason;
import ai.diffad.denoise.record.ScoreRecord;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.artifact.ModelManifest;
import ai.diffad.model.artifact.NetworkFactory;
import ai.diffad.model.testutils.TinyDenoiser;
import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one scoring function on a real (untrained) tiny network: outcomes in input order, one per
 * input; the batch fallback that rejects only the culprit; record fields from the calibration;
 * files written and failures to write them.
 */
class ScorerTest {
  private static final int SIZE = 16;
  @TempDir static Path dir;
  private static LoadedModel model;

  private static final EngineConfig ENGINE = EngineConfig.builder().tStar(20).steps(2)
      .batchSize(4).map(MapKind.L1).smoothSigma(1.0).build();

  @BeforeAll
  static void tinyModel() {
    DiffadConfig config = new DiffadConfig("scorer-test", ScheduleConfig.of(ScheduleKind.LINEAR, 100),
        PredictionType.EPSILON, new NetworkConfig(null, 8, List.of(1), null, null, 8, null, null),
        null, new DataConfig(DataFormat.IMAGES, 1, SIZE, null, null, null, null, null));
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      Block block = TinyDenoiser.create(config.network(), 1);
      block.initialize(m, DataType.FLOAT32, NetworkFactory.inputShapes(config));
      ModelArtifact.save(dir.resolve("m"), config, block, new ModelManifest.TrainingInfo(
          "00".repeat(32), "none", 0, 0, 0L, "2026-12-01T00:00:00Z"));
    }
    model = ModelArtifact.load(dir.resolve("m"), Device.cpu(), TinyDenoiser::create);
  }

  @AfterAll
  static void close() {
    model.close();
  }

  private static DecodedInput image(String id, int channels, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] data = new float[channels * SIZE * SIZE];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    return new DecodedInput(id, "cam" + seed % 2, DecodedInput.IMAGE, data, channels, SIZE, SIZE,
        1.25);
  }

  private static ScoreRecord scored(Outcome o) {
    assertThat(o).isInstanceOf(Outcome.Scored.class);
    return ((Outcome.Scored) o).record();
  }

  @Test
  void oneOutcomePerInputInOrderWithTheEnginesScoresAndTheSettings() {
    List<DecodedInput> in = List.of(image("a", 1, 1), image("b", 1, 2), image("c", 1, 3));
    try (Scorer scorer = new Scorer(model, ENGINE, null, null);
        AnomalyEngine alone = new AnomalyEngine(model, ENGINE)) {
      List<Outcome> out = scorer.score(in);
      assertThat(out).extracting(Outcome::id).containsExactly("a", "b", "c");
      for (int i = 0; i < in.size(); i++) {
        DecodedInput d = in.get(i);
        ScoreRecord r = scored(out.get(i));
        double expected = alone.score(d.data(), 1, SIZE, SIZE, d.id()).score();
        // batches of different sizes differ in the last float bits of the convolutions
        assertThat(r.score()).isCloseTo(expected, within(1e-6));
        assertThat(r.source()).isEqualTo(d.source());
        assertThat(r.kind()).isEqualTo("image");
        assertThat(r.tStar()).isEqualTo(20);
        assertThat(r.steps()).isEqualTo(2);
        assertThat(r.sampler()).isEqualTo("ddim");
        assertThat(r.noise()).isEqualTo("gaussian");
        assertThat(r.model().name()).isEqualTo("scorer-test");
        assertThat(r.model().sha256()).isEqualTo(model.manifest().fingerprint());
        assertThat(r.timingsMs().get("decode")).isEqualTo(1.25);
        assertThat(r.timingsMs().get("total")).isGreaterThanOrEqualTo(1.25);
        // without a calibration there is no verdict
        assertThat(r.normalized()).isNull();
        assertThat(r.threshold()).isNull();
        assertThat(r.anomalous()).isNull();
      }
    }
  }

  @Test
  void aBadInputInABatchIsRejectedAloneAndTheOthersScoreAsIfItWereNotThere() {
    List<DecodedInput> good = List.of(image("a", 1, 1), image("b", 1, 2));
    List<DecodedInput> mixed = new ArrayList<>(good);
    mixed.add(1, image("rgb", 3, 9)); // three channels for a gray model: the batch fails
    mixed.add(new DecodedInput("s", null, DecodedInput.SERIES, new float[32], 1, 1, 32, 0));
    try (Scorer scorer = new Scorer(model, ENGINE, null, null)) {
      List<Outcome> alone = scorer.score(good);
      List<Outcome> out = scorer.score(mixed);
      assertThat(out).extracting(Outcome::id).containsExactly("a", "rgb", "b", "s");
      assertThat(scored(out.get(0)).score()).isCloseTo(scored(alone.get(0)).score(), within(1e-6));
      assertThat(scored(out.get(2)).score()).isCloseTo(scored(alone.get(1)).score(), within(1e-6));
      for (int i : new int[] {1, 3}) {
        assertThat(out.get(i)).isInstanceOf(Outcome.Rejected.class);
        assertThat(((Outcome.Rejected) out.get(i)).rejection().reason())
            .isEqualTo(RejectReason.PROCESSING_FAILED);
      }
      assertThat(((Outcome.Rejected) out.get(1)).rejection().detail()).contains("3 channels");
      assertThat(((Outcome.Rejected) out.get(3)).rejection().detail()).contains("image model");
    }
  }

  @Test
  void recordFieldsComeFromTheCalibration() {
    List<DecodedInput> in = List.of(image("a", 1, 1), image("b", 1, 2), image("c", 1, 3),
        image("d", 1, 4));
    double[] raw;
    try (Scorer plain = new Scorer(model, ENGINE, null, null)) {
      raw = plain.score(in).stream().mapToDouble(o -> scored(o).score()).toArray();
    }
    double[] sorted = raw.clone();
    java.util.Arrays.sort(sorted);
    // normal scores whose 0.5 quantile lies between the second and third input's score
    Calibration cal = Calibrator.fromNormalScores(new double[] {sorted[0], sorted[1], sorted[2],
        sorted[3]}, 0.5, ScoreSettings.of(ENGINE));
    double threshold = cal.threshold();
    assertThat(threshold).isCloseTo((sorted[1] + sorted[2]) / 2, within(1e-12));
    try (Scorer scorer = new Scorer(model, ENGINE, cal, null)) {
      List<Outcome> out = scorer.score(in);
      int flagged = 0;
      for (int i = 0; i < in.size(); i++) {
        ScoreRecord r = scored(out.get(i));
        assertThat(r.score()).isEqualTo(raw[i]);
        assertThat(r.threshold()).isEqualTo(threshold);
        assertThat(r.normalized()).isEqualTo(cal.normalize(raw[i]));
        assertThat(r.anomalous()).isEqualTo(raw[i] >= threshold);
        flagged += r.anomalous() ? 1 : 0;
      }
      assertThat(flagged).isEqualTo(2);
    }
  }

  @Test
  void filesAreWrittenByTheNamingRuleAndAFileThatCannotBeWrittenRejectsItsInput() throws Exception {
    Path out = dir.resolve("out");
    try (Scorer scorer = new Scorer(model, ENGINE, null, new ImageOutputs(out, true, true))) {
      ScoreRecord r = scored(scorer.score(List.of(image("cam1/x y.jpg", 1, 1))).get(0));
      assertThat(r.outputs()).containsOnlyKeys("map", "overlay", "denoised");
      assertThat(Path.of(r.outputs().get("map"))).isEqualTo(out.resolve("maps/cam1/x_y.png"))
          .isRegularFile();
      assertThat(Path.of(r.outputs().get("overlay"))).isRegularFile();
      assertThat(Path.of(r.outputs().get("denoised"))).isRegularFile();
    }
    Path blocked = dir.resolve("blocked");
    Files.writeString(blocked, "a file where the output folder should be");
    try (Scorer scorer = new Scorer(model, ENGINE, null, new ImageOutputs(blocked, true, false))) {
      Outcome o = scorer.score(List.of(image("a", 1, 1))).get(0);
      assertThat(o).isInstanceOf(Outcome.Rejected.class);
      assertThat(((Outcome.Rejected) o).rejection().detail()).startsWith("writing the map");
    }
  }
}
