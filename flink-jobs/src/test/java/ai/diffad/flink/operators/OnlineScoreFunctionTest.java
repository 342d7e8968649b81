package ai.diffad.flink.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.diffad.config.DataConfig;
import ai.diffad.config.DataFormat;
import ai.diffad.config.DiffadConfig;
import ai.diffad.config.EngineConfig;
import ai.diffad.config.MapKind;
import ai.diffad.config.NetworkConfig;
import ai.diffad.config.NetworkKind;
import ai.diffad.config.OnlineConfig;
import ai.diffad.config.PredictionType;
import ai.diffad.config.ScheduleConfig;
import ai.diffad.config.ScheduleKind;
import ai.diffad.config.TrainingConfig;
import ai.diffad.denoise.data.InMemoryTrainingSet;
import ai.diffad.denoise.record.DecodedInput;
import ai.diffad.denoise.record.ScoreRecord;
import ai.diffad.denoise.run.Outcome;
import ai.diffad.denoise.run.Scorer;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.train.Trainer;
import ai.djl.Device;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-source online scorer through Flink's keyed operator harness, on a tiny series model
 * trained here: inputs are scored with the shared weights until their source has learned, each
 * source learns from its own rows only, and the learned state survives a snapshot and restore.
 */
class OnlineScoreFunctionTest {
  private static final int WINDOW = 16;
  private static final OnlineConfig ONLINE = new OnlineConfig(48, 3, 4, 5e-3, 200);

  @TempDir static Path dir;
  private static Path model;

  @BeforeAll
  static void train() {
    List<InMemoryTrainingSet.Item> items = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      items.add(new InMemoryTrainingSet.Item(series(64, i, 0f), 1, 64, -1));
    }
    DiffadConfig cfg = new DiffadConfig("online-tiny", ScheduleConfig.of(ScheduleKind.LINEAR, 1000),
        PredictionType.EPSILON,
        new NetworkConfig(NetworkKind.UNET1D, 8, List.of(1, 2), 1, List.of(), 4, 0, 0.0),
        new TrainingConfig(20, 4, 2e-3, 0.0, 2, null, 1.0, 0.9, 3L, 0, 10, null, 0, 1000, null),
        new DataConfig(DataFormat.SENSOR, 1, WINDOW, null, false, false, 8, null));
    model = Trainer.builder().setConfig(cfg).setData(new InMemoryTrainingSet(items, 1, "sines"))
        .setOutputDir(dir.resolve("m")).optProgressBar(false).build().run().artifact();
  }

  static float[] series(int rows, int phase, float level) {
    float[] x = new float[rows];
    for (int i = 0; i < rows; i++) {
      x[i] = (float) (0.6 * Math.sin(2 * Math.PI * (i + phase) / 8.0)) + level;
    }
    return x;
  }

  private static EngineConfig engine() {
    return EngineConfig.builder().tStar(300).steps(2).map(MapKind.L1).smoothSigma(0.0).build();
  }

  private static DecodedInput input(String id, String source, float[] data) {
    return new DecodedInput(id, source, DecodedInput.SERIES, data, 1, 1, data.length, 0.0);
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, DecodedInput, ScoreRecord> harness()
      throws Exception {
    return new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(
        new OnlineScoreFunction(model, engine(), 1, ONLINE)), OnlineScoreFunction::keyOf,
        Types.STRING);
  }

  private static Map<String, Double> scores(
      KeyedOneInputStreamOperatorTestHarness<String, DecodedInput, ScoreRecord> h) {
    Map<String, Double> out = new TreeMap<>();
    for (ScoreRecord r : h.extractOutputValues()) {
      assertThat(out.put(r.id(), r.score())).as("one record for %s", r.id()).isNull();
    }
    return out;
  }

  /** The shared model's score of an input (no learning). */
  private static double shared(DecodedInput in) {
    try (LoadedModel m = ModelArtifact.load(model, Device.cpu());
        Scorer s = new Scorer(m, engine(), null, null)) {
      return ((Outcome.Scored) s.score(List.of(in)).get(0)).record().score();
    }
  }

  @Test
  void aSourceIsScoredByItsOwnLearnedWeightsAndOtherSourcesAreNotTouched() throws Exception {
    SplittableRandom rng = new SplittableRandom(4);
    float[] probe = series(32, 3, 0.8f);
    try (var h = harness()) {
      h.open();
      h.processElement(input("a0", "a", probe), 0);
      // 32 + 32 rows >= every (48): after a1 the source learns, before a2.
      h.processElement(input("a1", "a", series(32, rng.nextInt(8), 0.8f)), 0);
      h.processElement(input("a2", "a", probe), 0);
      h.processElement(input("b0", "b", probe), 0);
      Map<String, Double> s = scores(h);
      assertThat(s).containsOnlyKeys("a0", "a1", "a2", "b0");
      // (The noise of a reconstruction is keyed by the input's id, so each is compared with the
      // shared model's score of the same id and rows.)
      assertThat(s.get("a0")).isCloseTo(shared(input("a0", "a", probe)), within(1e-6));
      // b has learned nothing: the shared weights, although a's have changed since.
      assertThat(s.get("b0")).isCloseTo(shared(input("b0", "b", probe)), within(1e-6));
      // a has: the same rows now score otherwise than by the shared weights.
      assertThat(Math.abs(s.get("a2") - shared(input("a2", "a", probe)))).isGreaterThan(1e-4);
    }
  }

  @Test
  void theLearnedStateIsRestoredFromASnapshot() throws Exception {
    SplittableRandom rng = new SplittableRandom(9);
    List<DecodedInput> before = new ArrayList<>();
    List<DecodedInput> after = new ArrayList<>();
    // 32 rows each, sources alternating, every 48 rows: each source learns after its 2nd input
    // (before the snapshot) and again after its 4th (y2, y3); y4 and y5 are scored by the second
    // update, which the restored job must make as the uninterrupted one did — seeded by the
    // source's own count of updates, from the source's weights and rows only.
    for (int i = 0; i < 6; i++) {
      if (i < 4) {
        before.add(input("x" + i, i % 2 == 0 ? "p" : "q", series(32, rng.nextInt(8), 0.3f * i)));
      }
      after.add(input("y" + i, i % 2 == 0 ? "p" : "q", series(32, rng.nextInt(8), 0.2f * i)));
    }
    OperatorSubtaskState snapshot;
    Map<String, Double> straight;
    try (var h = harness()) {
      h.open();
      for (DecodedInput d : before) {
        h.processElement(d, 0);
      }
      snapshot = h.snapshot(1L, 1L);
      for (DecodedInput d : after) {
        h.processElement(d, 0);
      }
      straight = scores(h);
    }
    try (var h = harness()) {
      h.initializeState(snapshot);
      h.open();
      for (DecodedInput d : after) {
        h.processElement(d, 0);
      }
      Map<String, Double> restored = scores(h);
      assertThat(restored).containsOnlyKeys("y0", "y1", "y2", "y3", "y4", "y5");
      for (String id : restored.keySet()) {
        assertThat(restored.get(id)).as(id).isCloseTo(straight.get(id), within(1e-6));
      }
    }
    // Without the snapshot the same inputs score otherwise (the state carried what was learned).
    try (var h = harness()) {
      h.open();
      for (DecodedInput d : after) {
        h.processElement(d, 0);
      }
      Map<String, Double> fresh = scores(h);
      assertThat(fresh.get("y2")).isNotCloseTo(straight.get("y2"), within(1e-6));
    }
  }

  @Test
  void historyKeepsTheLastRowsOfEveryChannelAndWeightsRoundTrip() {
    float[] old = {1, 2, 3, 10, 20, 30}; // 2 channels x 3 rows
    float[] add = {4, 5, 40, 50};
    assertThat(OnlineScoreFunction.append(old, add, 2, 4)).containsExactly(2, 3, 4, 5, 20, 30, 40, 50);
    assertThat(OnlineScoreFunction.append(null, add, 2, 1)).containsExactly(5, 50);
    float[][] w = {{1.5f, -2f}, {}, {3f, 4f, 5f}};
    assertThat(OnlineScoreFunction.unpack(OnlineScoreFunction.pack(w), w)).isDeepEqualTo(w);
  }
}
