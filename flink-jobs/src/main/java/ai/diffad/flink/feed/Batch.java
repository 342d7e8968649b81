package ai.diffad.flink.feed;

import ai.diffad.denoise.record.DecodedInput;
import java.util.Arrays;

/**
 * Inputs scored together: the micro-batcher's output, the scorer's input. An array rather than a
 * list so that Flink serializes it with the POJO serializer of {@link DecodedInput}.
 *
 * @param items the inputs, in arrival order
 */
public record Batch(DecodedInput[] items) {
  /** Number of inputs. */
  public int size() {
    return items.length;
  }

  @Override
  public String toString() {
    return "Batch" + Arrays.stream(items).map(DecodedInput::id).toList();
  }
}
