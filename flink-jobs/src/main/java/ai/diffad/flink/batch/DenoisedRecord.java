package ai.diffad.flink.batch;

import ai.diffad.denoise.record.ScoreRecord;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * The one result record of an input the batch job denoised, a line of {@code scores.jsonl}:
 *
 * <pre>{@code
 * {"id": "cam3/000123.png", "source": "cam3", "kind": "image", "ts": "2026-11-23T10:15:02Z",
 *  "output": "/data/out/denoised/cam3/000123.png", "mode": "mmse", "sigma": 24.8,
 *  "sigmaEstimated": true, "t": 38, "sigmaEquiv": 25.1, "unchanged": false,
 *  "model": {"name": "natural-gray", "sha256": "..."},
 *  "timingsMs": {"decode": 3.1, "model": 118.4, "write": 2.0, "total": 126.0, "endToEnd": 140.0}}
 * }</pre>
 *
 * @param id the input's path relative to the input folder
 * @param source its first folder, or null
 * @param kind always {@code image}
 * @param ts when the record was made (ISO-8601)
 * @param output the denoised file (absolute)
 * @param mode mmse or sample
 * @param sigma the noise level used (0-255 scale)
 * @param sigmaEstimated whether sigma was estimated from the image
 * @param t the diffusion step the input was treated as (-1 when unchanged)
 * @param sigmaEquiv the noise level of step t
 * @param unchanged whether the input was copied because sigma is below the schedule's first step
 * @param note a remark, or null
 * @param model the model's name and weights digest
 * @param timingsMs decode, model, write, total (decode to written) and endToEnd (taken in to record)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DenoisedRecord(String id, String source, String kind, String ts, String output,
    String mode, double sigma, boolean sigmaEstimated, int t, double sigmaEquiv,
    boolean unchanged, String note, ScoreRecord.ModelRef model, Map<String, Double> timingsMs) {}
