package ai.diffad.flink.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.diffad.denoise.record.RejectReason;
import ai.diffad.denoise.record.RejectedInputException;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class FeedRecordTest {
  private static final long CAP = 1000;

  private static RejectReason reasonOf(String json) {
    try {
      FeedRecord.parse(json, CAP, "topic/0/42");
      throw new AssertionError("accepted: " + json);
    } catch (RejectedInputException e) {
      return e.reason();
    }
  }

  @Test
  void parsesEachPayloadKind() throws Exception {
    FeedRecord p = FeedRecord.parse("{\"id\":\"cam3/1.png\",\"source\":\"cam3\",\"path\":\"/d/1.png\"}", CAP, "f");
    assertThat(p.payload()).isEqualTo(FeedRecord.Payload.PATH);
    assertThat(p.source()).isEqualTo("cam3");

    String b64 = Base64.getEncoder().encodeToString(new byte[] {1, 2, 3});
    FeedRecord b = FeedRecord.parse("{\"id\":\"x\",\"base64\":\"" + b64 + "\"}", CAP, "f");
    assertThat(b.bytes()).containsExactly(1, 2, 3);

    FeedRecord t = FeedRecord.parse("{\"id\":\"s\",\"tensor\":{\"shape\":[2,2],\"data\":[1,2,3,4.5]}}", CAP, "f");
    assertThat(t.tensor().data()).containsExactly(1f, 2f, 3f, 4.5f);
  }

  @Test
  void aPathRecordWithoutIdIsNamedByItsPath() throws Exception {
    assertThat(FeedRecord.parse("{\"path\":\"/d/2.png\"}", CAP, "f").id()).isEqualTo("/d/2.png");
  }

  @Test
  void badRecordsAreRejectedWithAReason() {
    assertThat(reasonOf("{not json")).isEqualTo(RejectReason.MALFORMED);
    assertThat(reasonOf("[1,2]")).isEqualTo(RejectReason.MALFORMED);
    assertThat(reasonOf("")).isEqualTo(RejectReason.EMPTY);
    assertThat(reasonOf("{\"id\":\"a\"}")).isEqualTo(RejectReason.MALFORMED);
    assertThat(reasonOf("{\"id\":\"a\",\"path\":\"/x\",\"base64\":\"AAAA\"}")).isEqualTo(RejectReason.MALFORMED);
    assertThat(reasonOf("{\"base64\":\"AAAA\"}")).isEqualTo(RejectReason.MALFORMED);
    assertThat(reasonOf("{\"id\":\"a\",\"colour\":\"red\",\"path\":\"/x\"}")).isEqualTo(RejectReason.MALFORMED);
    assertThat(reasonOf("{\"id\":\"a\",\"tensor\":{\"shape\":[2,3],\"data\":[1,2]}}")).isEqualTo(RejectReason.MALFORMED);
    assertThat(reasonOf("{\"id\":\"a\",\"tensor\":{\"shape\":[0],\"data\":[]}}")).isEqualTo(RejectReason.MALFORMED);
  }

  @Test
  void deepNestingAndOverlongNumbersAreMalformedNotOverTheInlineCap() throws Exception {
    // Jackson refuses both with the StreamConstraintsException a string over the cap also raises;
    // they used to come out as TOO_LARGE "a field over the inline cap" (found by the fuzzer).
    for (String json : new String[] {
        "[".repeat(100_000) + "]".repeat(100_000),
        "{\"id\":\"a\",\"tensor\":{\"shape\":" + "[".repeat(5_000) + "2" + "]".repeat(5_000) + ",\"data\":[1]}}",
        "{\"id\":\"a\",\"tensor\":{\"shape\":[1" + "0".repeat(1_500) + "],\"data\":[1]}}"}) {
      try {
        FeedRecord.parse(json, CAP, "topic/0/1");
        throw new AssertionError("accepted");
      } catch (RejectedInputException e) {
        assertThat(e.reason()).isEqualTo(RejectReason.MALFORMED);
        assertThat(e.detail()).startsWith("not a feed record: ").doesNotContain("inline cap");
      }
    }
    // nesting within Jackson's limit is parsed, and refused for what it is
    assertThat(reasonOf("{\"id\":\"a\",\"tensor\":{\"shape\":[[[2]]],\"data\":[1]}}"))
        .isEqualTo(RejectReason.MALFORMED);
  }

  @Test
  void aRejectionIsNotReportedUnderAnIdOrSourceOfMegabytes() {
    // A record refused for an id over the cap used to be reported under that id (found by the
    // fuzzer): a rejection record larger than a Kafka message can be.
    String huge = "x".repeat(FeedRecord.MAX_NAME + 1);
    String json = "{\"id\":\"" + huge + "\",\"source\":\"" + huge + "\",\"base64\":\"AAAA\"}";
    assertThat(FeedRecord.idOf(json, "topic/0/9")).isEqualTo("topic/0/9");
    assertThat(FeedRecord.sourceOf(json)).isNull();
    String fits = "y".repeat(FeedRecord.MAX_NAME);
    assertThat(FeedRecord.idOf("{\"id\":\"" + fits + "\"}", "f")).isEqualTo(fits);
  }

  @Test
  void base64OverTheCapIsTooLargeEvenBeyondJacksonsStringLimit() {
    String big = "A".repeat(2000); // ~1500 bytes > CAP
    assertThat(reasonOf("{\"id\":\"a\",\"base64\":\"" + big + "\"}")).isEqualTo(RejectReason.TOO_LARGE);
    String huge = "A".repeat(20_000); // over this mapper's string limit: refused while parsing
    assertThat(reasonOf("{\"id\":\"a\",\"base64\":\"" + huge + "\"}")).isEqualTo(RejectReason.TOO_LARGE);
  }

  @Test
  void theRejectionIdComesFromTheRecordOrTheFallback() {
    assertThat(FeedRecord.idOf("{\"id\":\"a\",\"path\":1}", "fb")).isEqualTo("a");
    assertThat(FeedRecord.idOf("{\"path\":\"/p\"}", "fb")).isEqualTo("/p");
    assertThat(FeedRecord.idOf("garbage", "fb")).isEqualTo("fb");
    assertThatThrownBy(() -> FeedRecord.parse("{\"id\":\"a\",\"base64\":\"***\"}", CAP, "f").bytes())
        .isInstanceOf(RejectedInputException.class);
  }
}
