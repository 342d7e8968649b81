package ai.diffad.denoise.record;

/**
 * Thrown at the edge (decoding, validation) for an input that cannot be processed. Callers turn it
 * into one {@link Rejection} record; it never stops a run.
 */
public final class RejectedInputException extends Exception {
  private final RejectReason reason;

  /** A rejection with its reason and a human-readable detail. */
  public RejectedInputException(RejectReason reason, String detail) {
    super(detail);
    this.reason = reason;
  }

  /** The reason code. */
  public RejectReason reason() {
    return reason;
  }

  /** The human-readable detail. */
  public String detail() {
    return getMessage();
  }
}
