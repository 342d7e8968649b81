package ai.diffad.flink.operators;

import java.util.Map;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.RuntimeContext;

/**
 * Two job-wide counters, kept as Flink accumulators so that a client can read them from a running
 * job ({@code JobClient.getAccumulators()}, locally or on a cluster): inputs taken in and records
 * (results and rejections) given out. {@code diffad stream --until-idle} stops the job once
 * neither has moved for a while.
 */
public final class Progress {
  /** Accumulator of inputs taken in. */
  public static final String INPUTS = "diffad.inputs";
  /** Accumulator of results and rejections given out. */
  public static final String OUTPUTS = "diffad.outputs";

  private final LongCounter inputs;
  private final LongCounter outputs;

  private Progress(LongCounter inputs, LongCounter outputs) {
    this.inputs = inputs;
    this.outputs = outputs;
  }

  /** The counters of the calling subtask (registered on first use). */
  public static Progress of(RuntimeContext ctx) {
    return new Progress(ctx.getLongCounter(INPUTS), ctx.getLongCounter(OUTPUTS));
  }

  /** One input taken in. */
  public void input() {
    inputs.add(1L);
  }

  /** One record given out. */
  public void output() {
    outputs.add(1L);
  }

  /** inputs + outputs in an accumulator map of a job (0 for missing counters). */
  public static long total(Map<String, Object> accumulators) {
    return value(accumulators.get(INPUTS)) + value(accumulators.get(OUTPUTS));
  }

  /** One counter's value in an accumulator map (0 if missing). */
  public static long value(Object v) {
    return v instanceof Number n ? n.longValue() : 0L;
  }
}
