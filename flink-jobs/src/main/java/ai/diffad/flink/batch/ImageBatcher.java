package ai.diffad.flink.batch;

import ai.diffad.flink.operators.Metrics;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The batch job's micro-batcher: groups decoded images into batches of up to {@code maxSize},
 * emitting the last partial batch at the end of input. In {@code RuntimeExecutionMode.BATCH}
 * there are no checkpoints (a failed task is run again from its input), so the buffer is plain
 * memory and nothing waits on a timer: the input is bounded and read as fast as it decodes. The
 * streaming job's {@link ai.diffad.flink.operators.MicroBatcher} keeps its buffer in state instead.
 */
public final class ImageBatcher extends AbstractStreamOperator<ImageBatch>
    implements OneInputStreamOperator<ImageInput, ImageBatch>, BoundedOneInput {
  private static final long serialVersionUID = 1L;

  private final int maxSize;

  private transient List<ImageInput> buffer;
  private transient Counter batches;

  /** @param maxSize images per batch (>= 1) */
  public ImageBatcher(int maxSize) {
    if (maxSize < 1) {
      throw new IllegalArgumentException("maxSize must be >= 1, got " + maxSize);
    }
    this.maxSize = maxSize;
  }

  @Override
  public void open() throws Exception {
    super.open();
    buffer = new ArrayList<>(maxSize);
    batches = getMetricGroup().counter(Metrics.BATCHES);
  }

  @Override
  public void processElement(StreamRecord<ImageInput> element) {
    buffer.add(element.getValue());
    if (buffer.size() >= maxSize) {
      flush();
    }
  }

  @Override
  public void endInput() {
    flush();
  }

  private void flush() {
    if (!buffer.isEmpty()) {
      output.collect(new StreamRecord<>(new ImageBatch(buffer.toArray(ImageInput[]::new))));
      batches.inc();
      buffer.clear();
    }
  }
}
