package ai.diffad.flink.operators;

import ai.diffad.denoise.record.DecodedInput;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;

/**
 * Keys inputs for the micro-batcher so that each of its subtasks owns exactly one key: key
 * {@code keys[i]} lands on subtask i (found by Flink's own key-group assignment), and an input
 * goes to {@code keys[hash(id) mod parallelism]}. Batches thus fill per subtask, as many as there
 * are scorers, and buffered inputs sit in keyed state, which is checkpointed and redistributed on
 * rescaling (where an old key's timer still flushes what it holds).
 */
public final class BatchKeys implements KeySelector<DecodedInput, Integer> {
  private static final long serialVersionUID = 1L;

  private final int[] keys;

  /**
   * @param parallelism the batcher's parallelism
   * @param maxParallelism the batcher's max parallelism (key groups)
   */
  public BatchKeys(int parallelism, int maxParallelism) {
    if (parallelism < 1 || maxParallelism < parallelism) {
      throw new IllegalArgumentException("need 1 <= parallelism <= maxParallelism, got "
          + parallelism + ", " + maxParallelism);
    }
    keys = new int[parallelism];
    java.util.Arrays.fill(keys, -1);
    int found = 0;
    for (int k = 0; found < parallelism; k++) {
      int subtask = KeyGroupRangeAssignment.assignKeyToParallelOperator(k, maxParallelism, parallelism);
      if (keys[subtask] < 0) {
        keys[subtask] = k;
        found++;
      }
    }
  }

  /** The key that subtask {@code i} owns. */
  public int keyOfSubtask(int i) {
    return keys[i];
  }

  @Override
  public Integer getKey(DecodedInput value) {
    return keys[Math.floorMod(value.id().hashCode(), keys.length)];
  }
}
