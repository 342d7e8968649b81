package ai.diffad.flink.operators;

import ai.diffad.denoise.record.Rejection;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;

/** Side outputs shared by the operators. */
public final class Outputs {
  private Outputs() {}

  /** Rejection records: decode and score send every input they cannot process here. */
  public static final OutputTag<Rejection> REJECTED =
      new OutputTag<>("rejected", TypeInformation.of(Rejection.class));
}
