package ai.diffad.flink.operators;

import static org.assertj.core.api.Assertions.assertThat;

import ai.diffad.flink.feed.Batch;
import ai.diffad.denoise.record.DecodedInput;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class MicroBatcherTest {
  private static final Duration WAIT = Duration.ofMillis(100);

  private static DecodedInput input(String id) {
    return new DecodedInput(id, "cam", DecodedInput.IMAGE, new float[] {0.5f, -0.5f}, 1, 1, 2, 0.1);
  }

  private static KeyedOneInputStreamOperatorTestHarness<Integer, DecodedInput, Batch> harness(
      int maxSize, BatchKeys keys) throws Exception {
    return new KeyedOneInputStreamOperatorTestHarness<>(new MicroBatcher(maxSize, WAIT), keys, Types.INT);
  }

  private static List<List<String>> batches(KeyedOneInputStreamOperatorTestHarness<Integer, DecodedInput, Batch> h) {
    List<List<String>> out = new ArrayList<>();
    for (Batch b : h.extractOutputValues()) {
      out.add(Arrays.stream(b.items()).map(DecodedInput::id).toList());
    }
    return out;
  }

  @Test
  void aPartialBatchIsFlushedByTheTimerWhenNoMoreInputArrives() throws Exception {
    try (var h = harness(4, new BatchKeys(1, 128))) {
      h.open();
      h.setProcessingTime(1_000);
      h.processElement(input("a"), 0);
      h.processElement(input("b"), 0);
      assertThat(h.extractOutputValues()).isEmpty();
      assertThat(h.numProcessingTimeTimers()).isEqualTo(1);

      h.setProcessingTime(1_000 + WAIT.toMillis() - 1);
      assertThat(h.extractOutputValues()).isEmpty();

      h.setProcessingTime(1_000 + WAIT.toMillis());
      assertThat(batches(h)).containsExactly(List.of("a", "b"));
      assertThat(h.numProcessingTimeTimers()).isZero();
    }
  }

  @Test
  void aFullBatchIsFlushedAtOnceAndItsTimerDeleted() throws Exception {
    try (var h = harness(3, new BatchKeys(1, 128))) {
      h.open();
      h.setProcessingTime(0);
      for (String id : List.of("a", "b", "c", "d")) {
        h.processElement(input(id), 0);
      }
      assertThat(batches(h)).containsExactly(List.of("a", "b", "c"));
      // d started a new batch with its own deadline
      assertThat(h.numProcessingTimeTimers()).isEqualTo(1);
      h.setProcessingTime(WAIT.toMillis());
      assertThat(batches(h)).containsExactly(List.of("a", "b", "c"), List.of("d"));
    }
  }

  @Test
  void bufferedInputsSurviveSnapshotAndRestoreNoneLostNoneRepeated() throws Exception {
    OperatorSubtaskState snapshot;
    try (var h = harness(3, new BatchKeys(1, 128))) {
      h.open();
      h.setProcessingTime(0);
      h.processElement(input("a"), 0);
      h.processElement(input("b"), 0);
      snapshot = h.snapshot(1L, 0L);
      assertThat(h.extractOutputValues()).isEmpty();
    }
    // A new operator instance restored from the checkpoint: the count, the buffer and the timer
    // are back, so the third input completes the batch at once.
    try (var h = harness(3, new BatchKeys(1, 128))) {
      h.setup();
      h.initializeState(snapshot);
      h.open();
      h.setProcessingTime(10);
      assertThat(h.numProcessingTimeTimers()).isEqualTo(1);
      h.processElement(input("c"), 0);
      assertThat(batches(h)).containsExactly(List.of("a", "b", "c"));
      assertThat(h.numProcessingTimeTimers()).isZero();
    }
    // Restored again and left alone: the restored timer alone flushes a and b.
    try (var h = harness(3, new BatchKeys(1, 128))) {
      h.setup();
      h.initializeState(snapshot);
      h.open();
      h.setProcessingTime(WAIT.toMillis());
      assertThat(batches(h)).containsExactly(List.of("a", "b"));
      h.setProcessingTime(10 * WAIT.toMillis());
      assertThat(batches(h)).hasSize(1);
    }
  }

  @Test
  void endOfInputFlushesThePartialBatchOfEveryKey() throws Exception {
    BatchKeys keys = new BatchKeys(4, 128);
    List<String> ids = new ArrayList<>();
    try (var h = harness(100, keys)) {
      h.open();
      h.setProcessingTime(0);
      for (int i = 0; i < 20; i++) {
        ids.add("in-" + i);
        h.processElement(input("in-" + i), 0);
      }
      assertThat(h.extractOutputValues()).isEmpty();
      h.endInput();
      List<List<String>> out = batches(h);
      assertThat(out).hasSizeGreaterThan(1); // 20 ids spread over 4 keys
      assertThat(out.stream().flatMap(List::stream).toList()).containsExactlyInAnyOrderElementsOf(ids);
    }
  }

  @Test
  void batchKeysGiveEachSubtaskExactlyOneKey() {
    for (int p : new int[] {1, 2, 3, 8}) {
      BatchKeys keys = new BatchKeys(p, 128);
      java.util.Set<Integer> subtasks = new java.util.HashSet<>();
      for (int i = 0; i < p; i++) {
        subtasks.add(org.apache.flink.runtime.state.KeyGroupRangeAssignment
            .assignKeyToParallelOperator(keys.keyOfSubtask(i), 128, p));
        assertThat(org.apache.flink.runtime.state.KeyGroupRangeAssignment
            .assignKeyToParallelOperator(keys.keyOfSubtask(i), 128, p)).isEqualTo(i);
      }
      assertThat(subtasks).hasSize(p);
    }
  }
}
