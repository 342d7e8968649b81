package ai.diffad.flink.operators;

import ai.diffad.flink.feed.Batch;
import ai.diffad.denoise.record.DecodedInput;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Groups decoded inputs into batches per key: a batch is emitted as soon as it holds
 * {@code maxSize} inputs, or {@code maxWait} after its first input arrived, whichever comes first.
 *
 * <p>Everything it holds is in keyed state: the buffered inputs (a list state), their count and
 * the deadline, and the processing-time timer (timers are part of keyed state too). A checkpoint
 * taken while inputs wait therefore carries them, and a job restored from it emits them — none
 * lost, none twice. At the end of a bounded input every key's partial batch is emitted, since
 * Flink drops pending processing-time timers when a finite stream ends.
 *
 * <p>A keyed operator rather than a KeyedProcessFunction for that last point: it implements
 * {@link BoundedOneInput}. Use it on a stream keyed by {@link BatchKeys}.
 */
public final class MicroBatcher extends AbstractStreamOperator<Batch>
    implements OneInputStreamOperator<DecodedInput, Batch>, Triggerable<Integer, VoidNamespace>,
        BoundedOneInput {
  private static final long serialVersionUID = 1L;

  /** Name of the list state holding the buffered inputs. */
  static final String BUFFER = "buffer";

  private final int maxSize;
  private final long maxWaitMs;

  private transient ListState<DecodedInput> buffer;
  private transient ValueState<Integer> count;
  private transient ValueState<Long> deadline;
  private transient InternalTimerService<VoidNamespace> timers;
  private transient Counter batches;

  /**
   * @param maxSize inputs per batch (>= 1)
   * @param maxWait longest an input waits for its batch to fill (> 0)
   */
  public MicroBatcher(int maxSize, Duration maxWait) {
    if (maxSize < 1) {
      throw new IllegalArgumentException("maxSize must be >= 1, got " + maxSize);
    }
    if (maxWait.isNegative() || maxWait.isZero()) {
      throw new IllegalArgumentException("maxWait must be > 0, got " + maxWait);
    }
    this.maxSize = maxSize;
    this.maxWaitMs = maxWait.toMillis();
  }

  @Override
  public void open() throws Exception {
    super.open();
    buffer = getPartitionedState(new ListStateDescriptor<>(BUFFER, TypeInformation.of(DecodedInput.class)));
    count = getPartitionedState(new ValueStateDescriptor<>("count", Types.INT));
    deadline = getPartitionedState(new ValueStateDescriptor<>("deadline", Types.LONG));
    timers = getInternalTimerService("micro-batch-deadline", VoidNamespaceSerializer.INSTANCE, this);
    batches = getMetricGroup().counter(Metrics.BATCHES);
  }

  @Override
  public void processElement(StreamRecord<DecodedInput> element) throws Exception {
    buffer.add(element.getValue());
    Integer c = count.value();
    int n = (c == null ? 0 : c) + 1;
    count.update(n);
    if (n >= maxSize) {
      flush();
    } else if (n == 1) {
      long due = timers.currentProcessingTime() + maxWaitMs;
      deadline.update(due);
      timers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, due);
    }
  }

  @Override
  public void onProcessingTime(InternalTimer<Integer, VoidNamespace> timer) throws Exception {
    flush();
  }

  @Override
  public void onEventTime(InternalTimer<Integer, VoidNamespace> timer) {
    // no event-time timers
  }

  @Override
  public void endInput() throws Exception {
    List<Integer> keys;
    try (var s = getKeyedStateBackend().<VoidNamespace>getKeys(BUFFER, VoidNamespace.INSTANCE)) {
      keys = new ArrayList<>(s.map(k -> (Integer) k).toList());
    }
    for (Integer k : keys) {
      setCurrentKey(k);
      flush();
    }
  }

  /** Emits the current key's buffered inputs as one batch and clears them and their timer. */
  private void flush() throws Exception {
    List<DecodedInput> items = new ArrayList<>();
    Iterable<DecodedInput> held = buffer.get();
    if (held != null) {
      held.forEach(items::add);
    }
    Long due = deadline.value();
    if (due != null) {
      timers.deleteProcessingTimeTimer(VoidNamespace.INSTANCE, due);
    }
    buffer.clear();
    count.clear();
    deadline.clear();
    if (!items.isEmpty()) {
      output.collect(new StreamRecord<>(new Batch(items.toArray(DecodedInput[]::new))));
      batches.inc();
    }
  }
}
