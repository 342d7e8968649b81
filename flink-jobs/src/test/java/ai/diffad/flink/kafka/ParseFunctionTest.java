package ai.diffad.flink.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import ai.diffad.denoise.record.RejectReason;
import ai.diffad.denoise.record.Rejection;
import ai.diffad.flink.feed.FeedRecord;
import ai.diffad.flink.feed.PathRoot;
import ai.diffad.flink.operators.Outputs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParseFunctionTest {
  @TempDir Path dir;

  private record Out(List<FeedRecord> records, List<Rejection> rejections) {}

  private Out run(PathRoot root, long cap, KafkaMessage... messages) throws Exception {
    try (var h = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new ParseFunction(cap, root)))) {
      h.open();
      for (KafkaMessage m : messages) {
        h.processElement(m, 0);
      }
      List<Rejection> rej = new ArrayList<>();
      var side = h.getSideOutput(Outputs.REJECTED);
      if (side != null) {
        side.forEach(r -> rej.add(((StreamRecord<Rejection>) r).getValue()));
      }
      return new Out(h.extractOutputValues(), rej);
    }
  }

  @Test
  void badMessagesBecomeRejectionsNamedByTheirIdOrTheirOffset() throws Exception {
    Out o = run(null, 64,
        new KafkaMessage("{\"id\": \"a\", \"source\": \"cam1\", \"base64\": \"iVBORw0KGgo=\"}", "in/0/0"),
        new KafkaMessage("{not json", "in/0/1"),
        new KafkaMessage(null, "in/1/7"),
        new KafkaMessage("{\"id\": \"big\", \"source\": \"cam2\", \"base64\": \"" + "A".repeat(400) + "\"}", "in/0/2"),
        new KafkaMessage("{\"id\": \"two\", \"path\": \"/x.png\", \"base64\": \"AAAA\"}", "in/0/3"));
    assertThat(o.records()).extracting(FeedRecord::id).containsExactly("a");
    assertThat(o.rejections()).extracting(r -> r.id() + " " + r.reason() + " " + r.source())
        .containsExactly("in/0/1 MALFORMED null", "in/1/7 EMPTY null", "big TOO_LARGE cam2", "two MALFORMED null");
    assertThat(o.rejections().get(0).detail()).contains("not a JSON feed record").endsWith("(message in/0/1)");
  }

  @Test
  void pathsOutsideTheAllowedRootAreRejectedAndRelativeOnesResolvedUnderIt() throws Exception {
    Path root = Files.createDirectories(dir.resolve("data"));
    Files.writeString(root.resolve("in.png"), "x");
    Files.writeString(dir.resolve("secret.png"), "x");
    Files.createSymbolicLink(root.resolve("link.png"), dir.resolve("secret.png"));
    PathRoot policy = new PathRoot(root, "source.kafka.allowedPathRoot");
    Out o = run(policy, 1 << 20,
        new KafkaMessage("{\"id\": \"ok\", \"path\": \"" + root.resolve("in.png") + "\"}", "t/0/0"),
        new KafkaMessage("{\"id\": \"rel\", \"path\": \"sub/new.png\"}", "t/0/1"),
        new KafkaMessage("{\"id\": \"up\", \"path\": \"" + root + "/../secret.png\"}", "t/0/2"),
        new KafkaMessage("{\"id\": \"abs\", \"path\": \"/etc/passwd\"}", "t/0/3"),
        new KafkaMessage("{\"id\": \"link\", \"path\": \"link.png\"}", "t/0/4"),
        new KafkaMessage("{\"id\": \"inline\", \"tensor\": {\"shape\": [1], \"data\": [0.5]}}", "t/0/5"));
    assertThat(o.records()).extracting(r -> r.id() + " " + r.path()).containsExactly(
        "ok " + root.resolve("in.png"), "rel " + root.resolve("sub/new.png"), "inline null");
    assertThat(o.rejections()).extracting(r -> r.id() + " " + r.reason())
        .containsExactly("up UNREADABLE", "abs UNREADABLE", "link UNREADABLE");
    assertThat(o.rejections().get(1).detail())
        .startsWith("path /etc/passwd is outside the allowed root " + root + " (source.kafka.allowedPathRoot)");
    assertThat(o.rejections().get(2).detail()).contains("leads through a link");
    assertThat(o.rejections()).allMatch(r -> r.reason() == RejectReason.UNREADABLE);
  }
}
