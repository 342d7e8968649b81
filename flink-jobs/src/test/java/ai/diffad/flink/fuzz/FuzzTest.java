package ai.diffad.flink.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import ai.diffad.denoise.record.RejectReason;
import ai.diffad.denoise.record.Rejection;
import ai.diffad.flink.feed.FeedRecord;
import ai.diffad.flink.fuzz.FuzzCase.Expect;
import ai.diffad.flink.fuzz.FuzzCase.Model;
import ai.diffad.flink.fuzz.FuzzCase.Route;
import ai.diffad.flink.kafka.KafkaMessage;
import ai.diffad.flink.kafka.ParseFunction;
import ai.diffad.flink.operators.Outputs;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * 10,000 generated cases (seed printed, {@code -Dfuzz.seed} and {@code -Dfuzz.count} override)
 * through the decoders and the Kafka parse path; the regression files of
 * {@code src/test/resources/fuzz-regressions}; and the generator's own promises (valid seeds
 * decode to their sizes, cases are reproducible from (seed, index)).
 */
class FuzzTest {
  static final long SEED = Long.getLong("fuzz.seed", 20261202L);
  static final int COUNT = Integer.getInteger("fuzz.count", 10_000);

  static FuzzRunner runner;

  @BeforeAll
  static void start() throws Exception {
    runner = new FuzzRunner();
  }

  @AfterAll
  static void stop() throws Exception {
    runner.close();
  }

  @Test
  void tenThousandCasesGiveOneSaneOutcomeEachWithinTheCapAndFlatMemory() throws Exception {
    System.out.println("fuzz seed " + SEED + " (rerun with -Dfuzz.seed=" + SEED + "), " + COUNT + " cases");
    Path failures = Path.of("target", "fuzz-failures-" + SEED);
    FuzzReport rep = runner.runAll(SEED, COUNT, 1_000, failures, null);
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    rep.print(out, true);
    assertThat(rep.failures()).as("failing cases (written to %s)", failures.toAbsolutePath()).isEmpty();
    assertThat(rep.crashes()).isZero();
    assertThat(rep.slow()).isZero();
    assertThat(rep.memoryProblem()).isNull();
    // The mutations reach the decoders: valid inputs decode, and every reason but
    // PROCESSING_FAILED turns up.
    Map<String, Integer> o = rep.outcomes();
    assertThat(o.getOrDefault("DECODED", 0)).isGreaterThan(COUNT / 20);
    Set<String> reasons = Arrays.stream(RejectReason.values()).map(Enum::name)
        .filter(r -> !r.equals("PROCESSING_FAILED")).collect(Collectors.toCollection(TreeSet::new));
    assertThat(o.keySet()).containsAll(reasons).doesNotContain("PROCESSING_FAILED", "CRASH");
    assertThat(o.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(COUNT);
  }

  @Test
  void everySeedDecodesToItsExactSizeByEveryRoute() {
    FuzzCorpus corpus = FuzzCorpus.build();
    assertThat(corpus.images()).extracting(s -> s.height() + "x" + s.width())
        .contains("24x32", "17x9", "20x15", "19x21", "9x13", "14x7");
    for (FuzzCorpus.Seed s : corpus.seeds()) {
      Model m = s.image() ? Model.IMAGE : Model.SERIES;
      Expect e = Expect.decoded(s.height(), s.width());
      byte[] msg = ("{\"id\": \"x\", \"base64\": \"" + java.util.Base64.getEncoder().encodeToString(s.bytes())
          + "\"}").getBytes(StandardCharsets.UTF_8);
      for (FuzzCase c : List.of(
          new FuzzCase(1, 0, s.name(), Route.FILE, m, "seed" + s.extension(), s.bytes(), null, e),
          new FuzzCase(1, 1, s.name(), Route.BASE64, m, null, s.bytes(), null, e),
          new FuzzCase(1, 2, s.name(), Route.KAFKA, m, null, msg, null, e))) {
        FuzzRunner.Result r = runner.run(c);
        assertThat(r.outcome()).as(s.name() + " " + c.route()).isEqualTo("DECODED");
        assertThat(r.problem()).as(s.name() + " " + c.route()).isNull();
      }
      // the oracle is not vacuous: the wrong size fails the case
      FuzzRunner.Result wrong = runner.run(new FuzzCase(1, 3, s.name(), Route.BASE64, m, null, s.bytes(), null,
          Expect.decoded(s.height() + 1, s.width())));
      assertThat(wrong.problem()).as(s.name()).contains("expected DECODED[" + (s.height() + 1));
    }
  }

  @Test
  void knownBadInputsAreRejectedWithTheirReason() {
    FuzzCorpus corpus = FuzzCorpus.build();
    byte[] png = corpus.seeds().get(0).bytes().clone();
    png[16] = png[17] = png[18] = png[19] = (byte) 0xFF; // IHDR width 4294967295
    assertThat(runner.run(new FuzzCase(1, 0, "png", Route.FILE, Model.IMAGE, "w.png", png, null, Expect.ANY)).outcome())
        .isEqualTo("TOO_LARGE");
    assertThat(runner.run(kafka("[".repeat(100_000) + "]".repeat(100_000))).outcome()).isEqualTo("MALFORMED");
    assertThat(runner.run(kafka("{\"id\": \"d\", \"tensor\": {\"shape\": " + "[".repeat(100_000) + "2"
        + "]".repeat(100_000) + ", \"data\": [1]}}")).outcome()).isEqualTo("MALFORMED");
    assertThat(runner.run(kafka("{\"id\": \"n\", \"tensor\": {\"shape\": [1" + "0".repeat(2000) + "], \"data\": [1]}}"))
        .outcome()).isEqualTo("MALFORMED");
    byte[] data = new byte[80 * 4];
    assertThat(runner.run(new FuzzCase(1, 0, "npy", Route.FILE, Model.SERIES, "o.npy",
        FuzzCorpus.npy("<f4", false, "(4611686018427388104, 4)", data), null, Expect.ANY)).outcome())
        .isEqualTo("TOO_LARGE");
    assertThat(runner.run(new FuzzCase(1, 0, "npy", Route.FILE, Model.SERIES, "n.npy",
        FuzzCorpus.npy("<f4", false, "(-40, -2)", data), null, Expect.ANY)).outcome()).isEqualTo("MALFORMED");
    assertThat(runner.run(new FuzzCase(1, 0, "t", Route.KAFKA, Model.IMAGE, null, null, null, Expect.ANY)).outcome())
        .isEqualTo("EMPTY");
  }

  private static FuzzCase kafka(String json) {
    return new FuzzCase(1, 0, "json", Route.KAFKA, Model.SERIES, null, json.getBytes(StandardCharsets.UTF_8), null,
        Expect.ANY);
  }

  @Test
  void aCaseIsMadeFromItsSeedAndIndexAlone() {
    FuzzGenerator a = new FuzzGenerator(FuzzCorpus.build());
    FuzzGenerator b = new FuzzGenerator(FuzzCorpus.build());
    Set<String> kinds = new TreeSet<>();
    for (int i : new int[] {0, 1, 17, 4_999, 9_999, 123_456}) {
      FuzzCase x = a.generate(SEED, i);
      FuzzCase y = b.generate(SEED, i);
      assertThat(y.kind()).isEqualTo(x.kind());
      assertThat(y.bytes()).isEqualTo(x.bytes());
      assertThat(y.expect()).isEqualTo(x.expect());
      kinds.add(x.kind());
    }
    assertThat(kinds).hasSizeGreaterThan(3);
    assertThat(a.generate(SEED + 1, 17).kind() + Arrays.hashCode(a.generate(SEED + 1, 17).bytes()))
        .isNotEqualTo(a.generate(SEED, 17).kind() + Arrays.hashCode(a.generate(SEED, 17).bytes()));
  }

  @Test
  void theKafkaOperatorGivesOneOutputPerFuzzedMessage() throws Exception {
    FuzzGenerator g = runner.generator();
    List<KafkaMessage> messages = new ArrayList<>();
    for (int i = 0; messages.size() < 400; i++) {
      FuzzCase c = g.generate(SEED, i);
      if (c.route() == Route.KAFKA && c.attachment() == null) {
        messages.add(new KafkaMessage(c.bytes() == null ? null : new String(c.bytes(), StandardCharsets.UTF_8),
            "fuzz/0/" + i));
      }
    }
    long cap = FuzzGenerator.MAX_INLINE_BYTES;
    try (var h = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new ParseFunction(cap, null)))) {
      h.open();
      for (KafkaMessage m : messages) {
        h.processElement(m, 0);
      }
      List<FeedRecord> records = h.extractOutputValues();
      List<Rejection> rejected = new ArrayList<>();
      var side = h.getSideOutput(Outputs.REJECTED);
      if (side != null) {
        side.forEach(r -> rejected.add(((StreamRecord<Rejection>) r).getValue()));
      }
      assertThat(records.size() + rejected.size()).isEqualTo(messages.size());
      long expectedRejections = messages.stream().filter(m -> ParseFunction.parse(m, cap, null).rejection() != null).count();
      assertThat(rejected).hasSize((int) expectedRejections);
      assertThat(rejected).allSatisfy(r -> assertThat(r.detail()).isNotBlank());
      assertThat(records).isNotEmpty();
    }
  }

  @Test
  void everyRegressionFileGivesItsExpectedOutcome() throws Exception {
    Path dir = Path.of("src", "test", "resources", "fuzz-regressions");
    List<FuzzCase> cases = FuzzRegressions.read(dir);
    Set<String> listed = new TreeSet<>();
    for (String line : Files.readAllLines(dir.resolve(FuzzRegressions.LIST))) {
      String[] f = line.split("#")[0].split("\t");
      if (!f[0].isBlank()) {
        listed.add(f[0].trim());
        if (f.length > 5) {
          listed.add(f[4].trim());
        }
      }
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())
          .filter(n -> !n.equals("README.md") && !n.equals(FuzzRegressions.LIST)))
          .as("every file in %s is listed in %s", dir, FuzzRegressions.LIST)
          .containsExactlyInAnyOrderElementsOf(listed);
    }
    assertThat(cases).isNotEmpty();
    for (FuzzCase c : cases) {
      FuzzRunner.Result r = runner.run(c);
      assertThat(r.problem()).as(c.kind() + " (" + r.outcome() + ")").isNull();
      assertThat(c.expect().any()).as(c.kind() + " names its expected outcome").isFalse();
      if (!c.expect().decoded() && c.expect().reasons().size() == 1) {
        assertThat(r.outcome()).as(c.kind()).isEqualTo(c.expect().reasons().iterator().next().name());
      }
    }
  }
}
