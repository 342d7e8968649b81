package ai.diffad.flink.alerts;

import ai.diffad.denoise.record.ScoreRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Debounced alerts per source, on a stream of results keyed by {@link #keyOf source}: an alert
 * is raised when the {@code count}-th anomalous result within {@code window} arrives, and then
 * none for that source during {@code cooldown}. Anomalous results that arrive during the
 * cool-down still count toward the window, so a source that stays anomalous raises its next
 * alert with the first anomalous result after the cool-down ends; one that recovered needs
 * {@code count} fresh ones.
 *
 * <p>Time is the operator's processing time. All it holds is keyed state: the anomalous results
 * still within the window (at most {@code max(count, 1024)}, the newest), the end of the
 * cool-down, and one cleanup timer per source, set to when both the window and the cool-down have
 * passed, which then clears that source's state. So state and timers are checkpointed, survive a
 * restart, and do not grow with the number of sources that went quiet.
 */
public final class AlertFunction extends KeyedProcessFunction<String, ScoreRecord, Alert> {
  private static final long serialVersionUID = 1L;

  /** Key of results without a source. */
  public static final String NO_SOURCE = "";

  /** An anomalous result within the window. */
  public record Hit(long at, String id, double score) {}

  private final int count;
  private final long windowMs;
  private final long cooldownMs;
  private final Double threshold;
  private final int keep;

  private transient ListState<Hit> hits;
  private transient ValueState<Long> quietUntil;
  private transient ValueState<Long> cleanupAt;
  private transient Counter raised;

  /**
   * @param count anomalous results needed within the window (>= 1)
   * @param window the window (> 0)
   * @param cooldown quiet time after an alert (>= 0)
   * @param threshold if not null, a result is anomalous when its raw score exceeds it; else its
   *     {@code anomalous} flag decides (null flags: not anomalous)
   */
  public AlertFunction(int count, Duration window, Duration cooldown, Double threshold) {
    if (count < 1) {
      throw new IllegalArgumentException("count must be >= 1, got " + count);
    }
    if (window.isNegative() || window.isZero() || cooldown.isNegative()) {
      throw new IllegalArgumentException("need window > 0 and cooldown >= 0, got " + window + ", " + cooldown);
    }
    this.count = count;
    this.windowMs = window.toMillis();
    this.cooldownMs = cooldown.toMillis();
    this.threshold = threshold;
    this.keep = Math.max(count, 1024);
  }

  /** The key of a result: its source, or {@link #NO_SOURCE}. */
  public static String keyOf(ScoreRecord r) {
    return r.source() == null ? NO_SOURCE : r.source();
  }

  /** Whether {@code r} counts as anomalous. */
  public boolean anomalous(ScoreRecord r) {
    return threshold != null ? r.score() > threshold : Boolean.TRUE.equals(r.anomalous());
  }

  @Override
  public void open(OpenContext ctx) {
    hits = getRuntimeContext().getListState(new ListStateDescriptor<>("anomalies", TypeInformation.of(Hit.class)));
    quietUntil = getRuntimeContext().getState(new ValueStateDescriptor<>("quietUntil", Types.LONG));
    cleanupAt = getRuntimeContext().getState(new ValueStateDescriptor<>("cleanupAt", Types.LONG));
    raised = getRuntimeContext().getMetricGroup().counter("alertsRaised");
  }

  @Override
  public void processElement(ScoreRecord r, Context ctx, Collector<Alert> out) throws Exception {
    if (!anomalous(r)) {
      return;
    }
    long now = ctx.timerService().currentProcessingTime();
    List<Hit> recent = new ArrayList<>();
    Iterable<Hit> held = hits.get();
    if (held != null) {
      for (Hit h : held) {
        if (h.at() > now - windowMs) {
          recent.add(h);
        }
      }
    }
    recent.add(new Hit(now, r.id(), r.score()));
    if (recent.size() > keep) {
      recent = new ArrayList<>(recent.subList(recent.size() - keep, recent.size()));
    }
    Long quiet = quietUntil.value();
    if (recent.size() >= count && (quiet == null || now >= quiet)) {
      out.collect(alert(ctx.getCurrentKey(), now, recent));
      raised.inc();
      hits.clear();
      quiet = now + cooldownMs;
      quietUntil.update(quiet);
    } else {
      hits.update(recent);
    }
    long due = Math.max(now + windowMs, quiet == null ? 0 : quiet);
    Long prev = cleanupAt.value();
    if (prev == null || prev != due) {
      if (prev != null) {
        ctx.timerService().deleteProcessingTimeTimer(prev);
      }
      ctx.timerService().registerProcessingTimeTimer(due);
      cleanupAt.update(due);
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
    Long due = cleanupAt.value();
    if (due != null && timestamp >= due) {
      // Every hit is older than the window and the cool-down is over: nothing left to remember.
      hits.clear();
      quietUntil.clear();
      cleanupAt.clear();
    }
  }

  private Alert alert(String key, long now, List<Hit> recent) {
    Hit first = recent.get(0);
    Hit last = recent.get(recent.size() - 1);
    Hit max = first;
    for (Hit h : recent) {
      if (h.score() > max.score()) {
        max = h;
      }
    }
    return new Alert(NO_SOURCE.equals(key) ? null : key, Instant.ofEpochMilli(now).toString(),
        recent.size(), windowMs / 1000.0, first.id(), last.id(),
        Instant.ofEpochMilli(first.at()).toString(), Instant.ofEpochMilli(last.at()).toString(),
        max.score(), max.id(), cooldownMs / 1000.0);
  }
}
