package ai.diffad.flink.feed;

import ai.diffad.denoise.record.DecodedInput;
import ai.diffad.denoise.record.Rejection;
import java.util.Objects;

/**
 * What decoding one {@link FeedRecord} gives: the decoded input, or the one rejection record that
 * stands for it.
 */
public sealed interface DecodeOutcome {
  /** The input was decoded. */
  record Decoded(DecodedInput input) implements DecodeOutcome {
    /** Requires the input. */
    public Decoded {
      Objects.requireNonNull(input, "input");
    }
  }

  /** The input was rejected. */
  record Rejected(Rejection rejection) implements DecodeOutcome {
    /** Requires the rejection. */
    public Rejected {
      Objects.requireNonNull(rejection, "rejection");
    }
  }
}
