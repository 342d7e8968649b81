package ai.diffad.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import ai.diffad.denoise.record.JsonLines;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DashboardStateTest {
  @TempDir Path results;
  final AtomicLong now = new AtomicLong(1_800_000_000_000L);

  private DashboardState state(int window) throws Exception {
    return new DashboardState(DashboardSettings.defaults().withWindow(window).withLimits(3, 4, 5, 6),
        new ResultsFiles(results), "test", now::get);
  }

  static JsonNode json(String s) throws Exception {
    return JsonLines.mapper().readTree(s);
  }

  static JsonNode score(String id, String source, long ts, double score, Boolean anomalous) throws Exception {
    return json("{\"id\":\"" + id + "\",\"source\":\"" + source + "\",\"ts\":\""
        + java.time.Instant.ofEpochMilli(ts) + "\",\"score\":" + score
        + (anomalous == null ? "" : ",\"anomalous\":" + anomalous + ",\"threshold\":0.5,\"normalized\":0.7")
        + ",\"model\":{\"name\":\"m\",\"sha256\":\"abcdef0123456789\"},\"outputs\":{\"overlay\":\""
        + "/elsewhere/out/overlays/" + id + "\"}}");
  }

  @Test
  void totalsCountEveryRecordOnceAndEachLineIsExactlyOneKind() throws Exception {
    DashboardState s = state(10);
    long t = now.get();
    assertThat(s.accept(DashboardState.Kind.SCORE, score("cam1/a.png", "cam1", t, 0.9, true))).isTrue();
    assertThat(s.accept(DashboardState.Kind.SCORE, score("cam1/b.png", "cam1", t, 0.1, false))).isTrue();
    assertThat(s.accept(DashboardState.Kind.SCORE, score("cam2/c.png", "cam2", t, 0.2, null))).isTrue();
    // the batch job's records have no score
    assertThat(s.accept(DashboardState.Kind.SCORE, json("{\"id\":\"x.png\",\"output\":\"/o/x.png\"}"))).isTrue();
    assertThat(s.accept(DashboardState.Kind.REJECTED,
        json("{\"id\":\"cam2/bad.png\",\"source\":\"cam2\",\"rejected\":true,\"reason\":\"EMPTY\",\"detail\":\"0 bytes\"}"))).isTrue();
    assertThat(s.accept(DashboardState.Kind.ALERT, json("{\"source\":\"cam1\",\"ts\":\"2027-01-15T08:00:00Z\",\"count\":3,"
        + "\"windowSeconds\":60.0,\"firstTs\":\"2027-01-15T07:59:00Z\",\"lastTs\":\"2027-01-15T08:00:00Z\",\"cooldownSeconds\":300}"))).isTrue();
    assertThat(s.accept(DashboardState.Kind.SCORE, json("{\"score\": 1}"))).as("no id").isFalse();
    assertThat(s.accept(DashboardState.Kind.ALERT, json("{\"source\": \"cam1\"}"))).as("no count").isFalse();
    assertThat(s.accept(DashboardState.Kind.SCORE, json("[1, 2]"))).isFalse();
    s.unreadable();

    DashboardState.Totals tot = s.totals();
    assertThat(tot).isEqualTo(new DashboardState.Totals(3, 1, 1, 1, 1, 4));
    assertThat(tot.read()).isEqualTo(10);
    ObjectNode snap = s.snapshot();
    assertThat(snap.at("/totals/read").asLong()).isEqualTo(10);
    assertThat(snap.at("/model/name").asText()).isEqualTo("m");
    assertThat(snap.at("/model/sha256").asText()).isEqualTo("abcdef0123456789");
    assertThat(snap.at("/model/threshold").asDouble()).isEqualTo(0.5);
    JsonNode cam1 = find(snap.get("sources"), "cam1");
    assertThat(cam1.get("scored").asLong()).isEqualTo(2);
    assertThat(cam1.get("flagged").asLong()).isEqualTo(1);
    assertThat(cam1.get("flaggedShare").asDouble()).isEqualTo(0.5);
    assertThat(cam1.get("perMinute").asDouble()).as("two inputs in the last minute").isEqualTo(2.0);
    assertThat(cam1.get("points")).hasSize(2);
    assertThat(find(snap.get("sources"), "cam2").get("rejected").asLong()).isEqualTo(1);
    // the flagged input, its heatmap mapped below the results folder by its images' folder
    assertThat(snap.get("flagged")).singleElement().satisfies(f -> {
      assertThat(f.get("id").asText()).isEqualTo("cam1/a.png");
      assertThat(f.get("overlay").asText()).isEqualTo("overlays/cam1/a.png");
      assertThat(f.get("normalized").asDouble()).isEqualTo(0.7);
    });
    assertThat(snap.get("rejected").get(0).get("reason").asText()).isEqualTo("EMPTY");
    assertThat(snap.get("alerts").get(0).get("count").asInt()).isEqualTo(3);
  }

  @Test
  void windowsAreBoundedSoMemoryStaysFlatHoweverManyRecordsArrive() throws Exception {
    DashboardState s = state(10);
    for (int i = 0; i < 20_000; i++) {
      s.accept(DashboardState.Kind.SCORE, score("cam" + (i % 3) + "/" + i + ".png", "cam" + (i % 3),
          now.get() - 120_000 + i, i, i % 2 == 0));
      s.accept(DashboardState.Kind.REJECTED, json("{\"id\":\"r" + i + "\",\"source\":\"cam1\",\"reason\":\"EMPTY\"}"));
      if (i % 1000 == 0) {
        s.drain();
      }
    }
    ObjectNode snap = s.snapshot();
    assertThat(s.totals().scored()).isEqualTo(20_000);
    assertThat(s.totals().flagged()).isEqualTo(10_000);
    assertThat(s.totals().rejected()).isEqualTo(20_000);
    // 10 points per source, 4 thumbnails, 5 rejections
    assertThat(snap.get("sources")).hasSize(3);
    for (JsonNode src : snap.get("sources")) {
      assertThat(src.get("points")).hasSize(10);
      // the newest ten: scores 19990..19999 of that source's share
      assertThat(src.get("points").get(9).get(1).asDouble()).isGreaterThan(19_990 - 5);
    }
    assertThat(snap.get("flagged")).hasSize(4);
    assertThat(snap.get("flagged").get(0).get("id").asText()).isEqualTo("cam0/19998.png");
    assertThat(snap.get("rejected")).hasSize(5);
    assertThat(snap.get("rejected").get(0).get("id").asText()).isEqualTo("r19999");
    assertThat(JsonLines.toJson(snap).length()).isLessThan(20_000);
  }

  @Test
  void beyondMaxSourcesTheOneUpdatedLongestAgoLeavesTheViewButNotTheTotals() throws Exception {
    DashboardState s = state(10);
    for (String src : List.of("cam0", "cam1", "cam2", "cam0", "cam3", "cam4")) {
      s.accept(DashboardState.Kind.SCORE, score(src + "/x", src, now.get(), 0.1, false));
    }
    assertThat(s.snapshot().get("sources")).extracting(n -> n.get("name").asText())
        .containsExactlyInAnyOrder("cam0", "cam3", "cam4");
    assertThat(s.totals().scored()).isEqualTo(6);
  }

  @Test
  void anUpdateCarriesOnlyWhatCameAfterTheLastDrainAndASnapshotItsSequence() throws Exception {
    DashboardState s = state(100);
    s.accept(DashboardState.Kind.SCORE, score("a", "cam1", now.get(), 0.1, false));
    ObjectNode first = s.drain();
    assertThat(first.get("snapshot").asBoolean()).isFalse();
    assertThat(first.get("points")).hasSize(1);
    assertThat(s.drain()).as("nothing new").isNull();

    s.accept(DashboardState.Kind.SCORE, score("b", "cam1", now.get(), 0.9, true));
    ObjectNode snap = s.snapshot(); // a browser connecting between two drains
    s.accept(DashboardState.Kind.SCORE, score("c", "cam2", now.get(), 0.2, false));
    ObjectNode u = s.drain();
    List<Long> seqs = new ArrayList<>();
    u.get("points").forEach(p -> seqs.add(p.get("seq").asLong()));
    assertThat(seqs).containsExactly(2L, 3L);
    // the snapshot held b (seq 2): a browser that took it skips it in this update
    assertThat(snap.get("seq").asLong()).isEqualTo(2);
    assertThat(u.get("seq").asLong()).isEqualTo(3);
    assertThat(u.get("flagged")).singleElement().satisfies(f -> assertThat(f.get("seq").asLong()).isEqualTo(2));
    assertThat(u.get("sources")).extracting(n -> n.get("name").asText()).containsExactlyInAnyOrder("cam1", "cam2");
  }

  @Test
  void tooManyChangesBetweenTwoDrainsBecomeOneBoundedSnapshot() throws Exception {
    DashboardState s = state(10);
    for (int i = 0; i < DashboardState.MAX_PENDING + 10; i++) {
      s.accept(DashboardState.Kind.SCORE, score("x" + i, "cam1", now.get(), i, false));
    }
    ObjectNode u = s.drain();
    assertThat(u.get("snapshot").asBoolean()).isTrue();
    assertThat(u.get("sources").get(0).get("points")).hasSize(10);
    assertThat(u.has("points")).isFalse();
    assertThat(u.at("/totals/scored").asLong()).isEqualTo(DashboardState.MAX_PENDING + 10);
    s.accept(DashboardState.Kind.SCORE, score("y", "cam1", now.get(), 1, false));
    assertThat(s.drain().get("snapshot").asBoolean()).as("back to updates").isFalse();
  }

  @Test
  void theRateCountsTheLastMinuteAndIsSentAgainWithoutNewRecords() throws Exception {
    DashboardState s = state(100);
    for (int i = 0; i < 6; i++) {
      s.accept(DashboardState.Kind.SCORE, score("x" + i, "cam1", now.get() - 10_000 * i, 0.1, false));
    }
    assertThat(find(s.drain().get("sources"), "cam1").get("perMinute").asDouble()).isEqualTo(6.0);
    now.addAndGet(35_000); // x3..x5 are now older than a minute
    ObjectNode u = s.drain();
    assertThat(u).as("every source's summary again after 5 s").isNotNull();
    assertThat(find(u.get("sources"), "cam1").get("perMinute").asDouble()).isEqualTo(3.0);
  }

  @Test
  void resetForgetsEverythingAndTheNextDrainIsASnapshot() throws Exception {
    DashboardState s = state(10);
    s.accept(DashboardState.Kind.SCORE, score("a", "cam1", now.get(), 0.9, true));
    s.drain();
    s.reset();
    ObjectNode u = s.drain();
    assertThat(u.get("snapshot").asBoolean()).isTrue();
    assertThat(u.get("sources")).isEmpty();
    assertThat(u.at("/totals/read").asLong()).isZero();
    assertThat(u.get("resets").asLong()).isEqualTo(1);
  }

  static JsonNode find(JsonNode sources, String name) {
    for (JsonNode n : sources) {
      if (n.get("name").asText().equals(name)) {
        return n;
      }
    }
    throw new AssertionError("no source " + name + " in " + sources);
  }
}
