package ai.diffad.flink.alerts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One alert: enough anomalous results of one source in a short time. Written as one JSON line to
 * {@code alerts.jsonl} and the {@code diffad.alerts} topic (keyed by source).
 *
 * <pre>{@code
 * {"source": "cam3", "ts": "2026-11-23T10:15:09.120Z", "count": 3, "windowSeconds": 60.0,
 *  "firstId": "cam3/000121.png", "lastId": "cam3/000123.png",
 *  "firstTs": "2026-11-23T10:15:02.004Z", "lastTs": "2026-11-23T10:15:09.120Z",
 *  "maxScore": 0.0213, "maxScoreId": "cam3/000122.png", "cooldownSeconds": 300.0}
 * }</pre>
 *
 * @param source the source (camera, folder, sensor), or null for inputs without one
 * @param ts when the alert was raised (ISO-8601)
 * @param count anomalous results of the source within the window when it was raised
 * @param windowSeconds the configured window
 * @param firstId id of the oldest of those results
 * @param lastId id of the newest (the one that raised the alert)
 * @param firstTs when the oldest arrived
 * @param lastTs when the newest arrived
 * @param maxScore the highest raw score among them
 * @param maxScoreId the id that had it
 * @param cooldownSeconds no further alert for this source for this long
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"source", "ts", "count", "windowSeconds", "firstId", "lastId", "firstTs",
    "lastTs", "maxScore", "maxScoreId", "cooldownSeconds"})
public record Alert(
    String source,
    String ts,
    int count,
    double windowSeconds,
    String firstId,
    String lastId,
    String firstTs,
    String lastTs,
    double maxScore,
    String maxScoreId,
    double cooldownSeconds) {}
