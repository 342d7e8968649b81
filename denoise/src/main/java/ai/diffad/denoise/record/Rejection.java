package ai.diffad.denoise.record;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The one record an input that cannot be processed produces (DESIGN.md, "One record per input").
 *
 * @param id the input's id (path or record id)
 * @param source the feed it came from (camera, folder), or null
 * @param rejected always true
 * @param reason the reason code
 * @param detail what exactly was wrong, for a person
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"id", "source", "rejected", "reason", "detail"})
public record Rejection(String id, String source, boolean rejected, RejectReason reason, String detail) {
  /** Longest detail kept; the rest is cut (a 2 MB CSV cell must not make a 2 MB record). */
  public static final int MAX_DETAIL = 1000;

  /** A rejection record; a detail over {@link #MAX_DETAIL} characters is cut short. */
  public static Rejection of(String id, String source, RejectReason reason, String detail) {
    return new Rejection(id, source, true, reason, abbreviate(detail));
  }

  /**
   * {@code detail} cut to {@link #MAX_DETAIL} characters, saying how long it was. Details quote
   * the offending input (a cell, a header) and are written to the rejected output: a Kafka topic
   * refuses records over its message size (1 MB by default), which would fail the job's sink.
   */
  static String abbreviate(String detail) {
    if (detail == null || detail.length() <= MAX_DETAIL) {
      return detail;
    }
    return detail.substring(0, MAX_DETAIL - 40) + "... (" + detail.length() + " characters in all)";
  }

  /** The record for a caught {@link RejectedInputException}. */
  public static Rejection of(String id, String source, RejectedInputException e) {
    return of(id, source, e.reason(), e.detail());
  }
}
