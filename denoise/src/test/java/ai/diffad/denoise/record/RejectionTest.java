package ai.diffad.denoise.record;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RejectionTest {
  @Test
  void aDetailQuotingAHugeInputIsCutShortAndSaysHowLongItWas() {
    // "line 1 (data row 1), column 1: <a 2 MB cell>" (found by the fuzzer) must not make a
    // rejection record larger than a Kafka message
    String cell = "7".repeat(2_000_000);
    Rejection r = Rejection.of("a.csv", null, RejectReason.NON_FINITE_VALUES, "line 1, column 1: " + cell);
    assertThat(r.detail()).hasSizeLessThanOrEqualTo(Rejection.MAX_DETAIL)
        .startsWith("line 1, column 1: 777").endsWith("... (2000018 characters in all)");
    String fits = "d".repeat(Rejection.MAX_DETAIL);
    assertThat(Rejection.of("b", null, RejectReason.MALFORMED, fits).detail()).isEqualTo(fits);
    assertThat(Rejection.of("c", null, RejectReason.MALFORMED, null).detail()).isNull();
  }
}
