package ai.diffad.model.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import me.tongfei.progressbar.ProgressBar;
import org.junit.jupiter.api.Test;

class PlainProgressTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
  /** The injected clock, in nanoseconds. */
  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  private String text() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private List<String> lines() {
    return text().lines().toList();
  }

  private PlainProgress reporter(String task, long total, long start, Duration before) {
    return new PlainProgress(task, total, start, before, out, now::get);
  }

  @Test
  void aPipedTrainingWritesALineEveryTenthAndAFinalOne() {
    try (PlainProgress p = reporter("train tiny", 800, 0, Duration.ZERO)) {
      for (int step = 1; step <= 800; step++) {
        now.addAndGet(10_000_000L); // 10 ms a step: 8 s in all, the 30 s rule never fires
        p.setExtraMessage(String.format(Locale.ROOT, "loss %.4f lr %.2e", step / 1000.0, 1e-3));
        p.stepTo(step);
      }
    }
    List<String> lines = lines();
    assertThat(text()).doesNotContain("\r");
    assertThat(lines).hasSize(11).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(200));
    assertThat(lines.get(0)).isEqualTo("train tiny: 80/800 (10 %), 0:00:00 elapsed, ETA 0:00:07,"
        + " loss 0.0800 lr 1.00e-03");
    assertThat(lines.get(4)).startsWith("train tiny: 400/800 (50 %), 0:00:04 elapsed, ETA 0:00:04");
    assertThat(lines.get(9)).startsWith("train tiny: 800/800 (100 %), 0:00:08 elapsed, ETA 0:00:00");
    assertThat(lines.get(10)).isEqualTo("train tiny: done, 800/800 (100 %) in 0:00:08,"
        + " loss 0.8000 lr 1.00e-03");
  }

  @Test
  void slowWorkWritesALineEvery30Seconds() {
    try (PlainProgress p = reporter("score", 1000, 0, Duration.ZERO)) {
      for (int i = 1; i <= 95; i++) {
        now.addAndGet(1_000_000_000L); // a second an item: a tenth takes 100 s
        p.step();
      }
      now.addAndGet(Duration.ofMinutes(5).toNanos()); // no progress, no line
    }
    assertThat(lines()).containsExactly(
        "score: 30/1000 (3 %), 0:00:30 elapsed, ETA 0:16:10",
        "score: 60/1000 (6 %), 0:01:00 elapsed, ETA 0:15:40",
        "score: 90/1000 (9 %), 0:01:30 elapsed, ETA 0:15:10",
        "score: stopped at 95/1000 (9 %) in 0:06:35");
  }

  @Test
  void aTenthRestartsThe30Seconds() {
    try (PlainProgress p = reporter("fit", 100, 0, Duration.ZERO)) {
      now.addAndGet(Duration.ofSeconds(20).toNanos());
      p.stepTo(10); // a tenth: a line
      now.addAndGet(Duration.ofSeconds(20).toNanos());
      p.stepTo(11); // 20 s since the last line: none
      now.addAndGet(Duration.ofSeconds(10).toNanos());
      p.stepTo(12); // 30 s: a line
    }
    assertThat(lines()).extracting(l -> l.substring(0, l.indexOf(' ', 5)))
        .containsExactly("fit: 10/100", "fit: 12/100", "fit: stopped");
  }

  @Test
  void aResumedTaskCountsFromWhereItStartedAndLongMessagesAreCut() {
    try (PlainProgress p = reporter("train big", 800, 400, Duration.ofSeconds(100))) {
      p.setExtraMessage("x".repeat(500));
      now.addAndGet(Duration.ofSeconds(8).toNanos());
      p.stepTo(479);
      assertThat(text()).isEmpty();
      p.stepTo(480);
      p.close();
      p.close();
    }
    List<String> lines = lines();
    assertThat(lines).hasSize(2).allSatisfy(l -> assertThat(l).hasSize(200).endsWith("xx..."));
    // ETA from this run's pace: 80 steps in 8 s, 320 to go
    assertThat(lines.get(0)).startsWith("train big: 480/800 (60 %), 0:01:48 elapsed, ETA 0:00:32, xxx");
    assertThat(lines.get(1)).startsWith("train big: stopped at 480/800 (60 %) in 0:01:48, xxx");
  }

  @Test
  void anUnknownTotalHasNoPercentage() {
    try (PlainProgress p = reporter("read", 0, 0, Duration.ZERO)) {
      now.addAndGet(Duration.ofSeconds(31).toNanos());
      p.stepTo(7);
    }
    assertThat(lines()).containsExactly("read: 7, 0:00:31 elapsed", "read: done, 7 in 0:00:31");
  }

  @Test
  void aProgressBarOffATerminalPrintsPlainLines() {
    assumeTrue(ProgressBars.plain(), "stderr is a terminal here");
    PrintStream err = System.err;
    System.setErr(out);
    try (ProgressBar bar = ProgressBars.progressBar("denoise", 800, b -> b)) {
      for (int i = 0; i < 800; i++) {
        bar.step();
      }
    } finally {
      System.setErr(err);
    }
    assertThat(text()).doesNotContain("\r");
    assertThat(lines()).hasSizeBetween(1, 11).last().asString()
        .startsWith("denoise: done, 800/800 (100 %) in 0:00:0");
  }
}
