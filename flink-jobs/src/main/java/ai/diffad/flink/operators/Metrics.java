package ai.diffad.flink.operators;

import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * Names of the jobs' metrics in Flink's metric system (web UI, REST API, reporters such as
 * Prometheus), registered in the operators' {@code open()}. Each is per operator subtask; a
 * reporter adds the job, task, operator and subtask as labels (Prometheus:
 * {@code flink_taskmanager_job_task_operator_inputsReceived{operator_name="decode",...}}).
 *
 * <ul>
 *   <li>decode: {@link #RECEIVED} (inputs taken in), {@link #DECODED}, {@link #REJECTED} (bad
 *       inputs);
 *   <li>micro-batch: {@link #BATCHES};
 *   <li>score (stream): {@link #SCORED}, {@link #ANOMALOUS} (records flagged anomalous by the
 *       calibration), {@link #REJECTED} (inputs the engine failed on), histograms
 *       {@link #BATCH_SIZE}, {@link #MODEL_LATENCY} (ms per batch) and {@link #END_TO_END} (ms
 *       from an input's arrival at decode to its result);
 *   <li>denoise (batch): {@link #DENOISED}, {@link #REJECTED} and the same three histograms;
 *       skip (batch): {@link #SKIPPED} (inputs already complete from an earlier run).
 * </ul>
 */
public final class Metrics {
  private Metrics() {}

  /** Inputs taken in by decode. */
  public static final String RECEIVED = "inputsReceived";
  /** Inputs decoded. */
  public static final String DECODED = "inputsDecoded";
  /** Inputs rejected (one rejection record each). */
  public static final String REJECTED = "inputsRejected";
  /** Inputs scored (one result record each). */
  public static final String SCORED = "inputsScored";
  /** Scored inputs whose record says anomalous. */
  public static final String ANOMALOUS = "inputsAnomalous";
  /** Inputs denoised (batch job). */
  public static final String DENOISED = "inputsDenoised";
  /** Inputs skipped as complete from an earlier run (batch job). */
  public static final String SKIPPED = "inputsSkipped";
  /** Batches emitted by the micro-batcher. */
  public static final String BATCHES = "batchesEmitted";
  /** Histogram: inputs per batch. */
  public static final String BATCH_SIZE = "batchSize";
  /** Histogram: milliseconds the model spent per batch. */
  public static final String MODEL_LATENCY = "modelLatencyMs";
  /** Histogram: milliseconds from an input's arrival to its result record. */
  public static final String END_TO_END = "endToEndLatencyMs";

  /** Values each histogram keeps for its quantiles (its count covers every update). */
  public static final int HISTOGRAM_WINDOW = 1024;

  /** Registers a histogram of the last {@link #HISTOGRAM_WINDOW} values under {@code name}. */
  public static Histogram histogram(MetricGroup group, String name) {
    return group.histogram(name, new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
  }

  /** Milliseconds since {@code epochMs} (0 when unknown or in the future). */
  public static long since(long epochMs) {
    return epochMs <= 0 ? 0 : Math.max(0, System.currentTimeMillis() - epochMs);
  }
}
