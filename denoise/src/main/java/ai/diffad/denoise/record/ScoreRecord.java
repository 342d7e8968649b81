package ai.diffad.denoise.record;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Map;

/**
 * The one result record a processed input produces (DESIGN.md, "One record per input"). Written
 * as one JSON line to files and Kafka.
 *
 * @param id the input's id
 * @param source the feed it came from, or null
 * @param kind image or series
 * @param ts ISO-8601 time the result was produced
 * @param score raw anomaly score (reconstruction error reduced by the configured reduction)
 * @param normalized score mapped to [0, 1] by the model's calibration, or null if uncalibrated
 * @param threshold the calibrated threshold on the raw score, or null
 * @param anomalous score above threshold, or null if uncalibrated
 * @param tStar partial-noising step
 * @param sampler reverse sampler
 * @param steps network calls per reconstruction
 * @param noise noise kind
 * @param model model name and weights fingerprint
 * @param outputs paths of written outputs (denoised, map, overlay), possibly empty
 * @param timingsMs decode, model and total milliseconds
 * @param windowScores per-window scores of a series, or null for images
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"id", "source", "kind", "ts", "score", "normalized", "threshold", "anomalous",
    "tStar", "sampler", "steps", "noise", "model", "outputs", "timingsMs", "windowScores"})
public record ScoreRecord(
    String id,
    String source,
    String kind,
    String ts,
    double score,
    Double normalized,
    Double threshold,
    Boolean anomalous,
    int tStar,
    String sampler,
    int steps,
    String noise,
    ModelRef model,
    Map<String, String> outputs,
    Map<String, Double> timingsMs,
    double[] windowScores) {

  /** The model that produced a record. */
  public record ModelRef(String name, String sha256) {}
}
