package ai.diffad.flink.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import ai.diffad.denoise.record.ScoreRecord;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class AlertFunctionTest {
  private static final int N = 3;
  private static final Duration W = Duration.ofSeconds(10);
  private static final Duration C = Duration.ofSeconds(30);

  private static ScoreRecord result(String id, String source, double score, Boolean anomalous) {
    return new ScoreRecord(id, source, "image", "2026-01-01T00:00:00Z", score, null, 0.5, anomalous,
        10, "ddim", 2, "gaussian", new ScoreRecord.ModelRef("tiny", "x"), new LinkedHashMap<>(),
        new LinkedHashMap<>(), null);
  }

  private static ScoreRecord bad(String id) {
    return result(id, "cam1", 0.9, true);
  }

  private static ScoreRecord good(String id) {
    return result(id, "cam1", 0.1, false);
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, ScoreRecord, Alert> harness(Double threshold)
      throws Exception {
    return new KeyedOneInputStreamOperatorTestHarness<>(
        new KeyedProcessOperator<>(new AlertFunction(N, W, C, threshold)), AlertFunction::keyOf, Types.STRING);
  }

  /** Sends {@code r} at processing time {@code seconds}. */
  private static void at(KeyedOneInputStreamOperatorTestHarness<String, ScoreRecord, Alert> h, double seconds,
      ScoreRecord r) throws Exception {
    h.setProcessingTime(Math.round(seconds * 1000));
    h.processElement(r, 0);
  }

  @Test
  void countWithinWindowRaisesOneAlertThenCooldownThenANewOne() throws Exception {
    try (var h = harness(null)) {
      h.open();
      at(h, 0, bad("a1"));
      at(h, 1, good("g1"));
      at(h, 2, bad("a2"));
      assertThat(h.extractOutputValues()).as("N-1 anomalies").isEmpty();

      at(h, 3, result("a3", "cam1", 0.95, true));
      List<Alert> alerts = h.extractOutputValues();
      assertThat(alerts).hasSize(1);
      Alert a = alerts.get(0);
      assertThat(a.source()).isEqualTo("cam1");
      assertThat(a.count()).isEqualTo(3);
      assertThat(a.firstId()).isEqualTo("a1");
      assertThat(a.lastId()).isEqualTo("a3");
      assertThat(a.maxScore()).isEqualTo(0.95);
      assertThat(a.maxScoreId()).isEqualTo("a3");
      assertThat(a.windowSeconds()).isEqualTo(10.0);
      assertThat(a.cooldownSeconds()).isEqualTo(30.0);
      assertThat(a.ts()).isEqualTo("1970-01-01T00:00:03Z");
      assertThat(a.firstTs()).isEqualTo("1970-01-01T00:00:00Z");

      // Within the cool-down (until t = 33): no alert however many anomalies arrive.
      for (int i = 0; i < 6; i++) {
        at(h, 4 + i * 5, bad("c" + i));
      }
      assertThat(h.extractOutputValues()).as("within cool-down").hasSize(1);

      // After the cool-down, with the window emptied meanwhile (last hit at 29): N fresh ones.
      at(h, 40, bad("n1"));
      at(h, 41, bad("n2"));
      assertThat(h.extractOutputValues()).hasSize(1);
      at(h, 42, bad("n3"));
      alerts = h.extractOutputValues();
      assertThat(alerts).hasSize(2);
      assertThat(alerts.get(1).firstId()).isEqualTo("n1");
      assertThat(alerts.get(1).lastId()).isEqualTo("n3");
      assertThat(alerts.get(1).count()).isEqualTo(3);
    }
  }

  @Test
  void anomaliesSpreadWiderThanTheWindowRaiseNothing() throws Exception {
    try (var h = harness(null)) {
      h.open();
      for (int i = 0; i < 10; i++) {
        at(h, i * 6, bad("a" + i)); // at most 2 within any 10 s
      }
      assertThat(h.extractOutputValues()).isEmpty();
    }
  }

  @Test
  void aSourceThatStaysAnomalousAlertsAgainRightAfterTheCooldown() throws Exception {
    try (var h = harness(null)) {
      h.open();
      for (int i = 0; i <= 40; i++) {
        at(h, i, bad("a" + i));
      }
      // t = 2 raises the first alert; 3..31 fall in the cool-down; t = 32 is the first after it.
      List<Alert> alerts = h.extractOutputValues();
      assertThat(alerts).extracting(Alert::lastId).containsExactly("a2", "a32");
      assertThat(alerts.get(1).count()).isEqualTo(10); // 23..32: the anomalies within the window
      assertThat(alerts.get(1).firstId()).isEqualTo("a23");
    }
  }

  @Test
  void sourcesAreDebouncedIndependently() throws Exception {
    try (var h = harness(null)) {
      h.open();
      at(h, 0, result("x1", "cam1", 0.9, true));
      at(h, 0.1, result("y1", "cam2", 0.9, true));
      at(h, 0.2, result("x2", "cam1", 0.9, true));
      at(h, 0.3, result("z1", null, 0.9, true));
      at(h, 0.4, result("y2", "cam2", 0.9, true));
      at(h, 0.5, result("x3", "cam1", 0.9, true));
      at(h, 0.6, result("z2", null, 0.9, true));
      at(h, 0.7, result("z3", null, 0.9, true));
      assertThat(h.extractOutputValues()).extracting(Alert::source).containsExactly("cam1", null);
    }
  }

  @Test
  void aThresholdOverridesTheCalibrationFlag() throws Exception {
    try (var h = harness(0.5)) {
      h.open();
      at(h, 0, result("a", "cam1", 0.6, null)); // uncalibrated, over the threshold
      at(h, 1, result("b", "cam1", 0.4, true)); // flagged, under the threshold
      at(h, 2, result("c", "cam1", 0.7, false));
      assertThat(h.extractOutputValues()).isEmpty();
      at(h, 3, result("d", "cam1", 0.8, null));
      assertThat(h.extractOutputValues()).extracting(Alert::firstId).containsExactly("a");
    }
  }

  @Test
  void windowAndCooldownSurviveACheckpointAndStateIsClearedOnceBothPassed() throws Exception {
    OperatorSubtaskState snapshot;
    try (var h = harness(null)) {
      h.open();
      at(h, 0, bad("a1"));
      at(h, 1, bad("a2"));
      at(h, 2, bad("a3"));
      at(h, 3, bad("b1"));
      at(h, 4, bad("b2"));
      assertThat(h.extractOutputValues()).hasSize(1);
      snapshot = h.snapshot(1L, 4_000L);
    }
    try (var h = harness(null)) {
      h.setup();
      h.initializeState(snapshot);
      h.open();
      at(h, 5, bad("b3"));
      assertThat(h.extractOutputValues()).as("cool-down restored").isEmpty();
      assertThat(h.numProcessingTimeTimers()).isEqualTo(1);
      at(h, 32.5, bad("b4")); // after the cool-down (32), but b1..b3 are out of the window
      assertThat(h.extractOutputValues()).isEmpty();
      at(h, 33, bad("b5"));
      at(h, 34, bad("b6"));
      assertThat(h.extractOutputValues()).extracting(Alert::firstId).containsExactly("b4");
      h.setProcessingTime(34_000 + C.toMillis());
      assertThat(h.numProcessingTimeTimers()).isZero();
      assertThat(h.numKeyedStateEntries()).isZero();
    }
  }
}
