package ai.diffad.denoise.run;

import ai.diffad.denoise.record.Rejection;
import ai.diffad.denoise.record.ScoreRecord;
import java.util.Objects;

/** What scoring made of one input: its result record or its rejection record, never both. */
public sealed interface Outcome {
  /** The input's id. */
  String id();

  /** A scored input. */
  record Scored(ScoreRecord record) implements Outcome {
    /** Requires the record. */
    public Scored {
      Objects.requireNonNull(record, "record");
    }

    @Override
    public String id() {
      return record.id();
    }
  }

  /** A rejected input. */
  record Rejected(Rejection rejection) implements Outcome {
    /** Requires the rejection. */
    public Rejected {
      Objects.requireNonNull(rejection, "rejection");
    }

    @Override
    public String id() {
      return rejection.id();
    }
  }
}
