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
  /** A rejection record. */
  public static Rejection of(String id, String source, RejectReason reason, String detail) {
    return new Rejection(id, source, true, reason, detail);
  }

  /** The record for a caught {@link RejectedInputException}. */
  public static Rejection of(String id, String source, RejectedInputException e) {
    return of(id, source, e.reason(), e.detail());
  }
}
