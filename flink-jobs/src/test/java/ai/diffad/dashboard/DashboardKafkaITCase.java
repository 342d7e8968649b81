package ai.diffad.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import ai.diffad.flink.kafka.KafkaBroker;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The dashboard on the result topics of a real broker in the test JVM: only committed
 * transactions are shown, from the latest offsets unless asked for the beginning, and a topic
 * created after the start is read from its beginning.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DashboardKafkaITCase {
  static KafkaBroker broker;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = KafkaBroker.start();
    broker.createTopics(2, "diffad.scores", "diffad.rejected");
  }

  @AfterAll
  static void stopBroker() throws Exception {
    if (broker != null) {
      broker.close();
    }
  }

  static String score(String id, boolean flagged) {
    return "{\"id\":\"" + id + "\",\"source\":\"cam1\",\"ts\":\"2027-01-15T08:00:00Z\",\"score\":"
        + (flagged ? 0.9 : 0.1) + ",\"anomalous\":" + flagged + ",\"threshold\":0.5,"
        + "\"model\":{\"name\":\"k\",\"sha256\":\"0123456789abcdef\"}}";
  }

  private static KafkaProducer<String, String> transactional(String id) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    KafkaProducer<String, String> k = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    k.initTransactions();
    return k;
  }

  private static void await(String what, BooleanSupplier c) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!c.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(50);
    }
  }

  @Test
  void onlyCommittedRecordsAfterTheStartAreShownAndLaterTopicsFromTheirBeginning() throws Exception {
    broker.produce("diffad.scores", List.of(score("before-start", true)));
    TopicsFeed feed = TopicsFeed.withPrefix(broker.bootstrapServers(), "diffad", false);
    try (Dashboard d = Dashboard.start(DashboardSettings.defaults(), feed, null)) {
      await("the feed positioned", feed::ready);
      assertThat(d.state().snapshot().path("feedError").asText()).isEqualTo("waiting for topics: diffad.alerts");
      try (KafkaProducer<String, String> k = transactional("dash-test-1")) {
        k.beginTransaction();
        k.send(new ProducerRecord<>("diffad.scores", "a", score("committed", true)));
        k.send(new ProducerRecord<>("diffad.rejected", "r",
            "{\"id\":\"bad.png\",\"source\":\"cam1\",\"rejected\":true,\"reason\":\"EMPTY\",\"detail\":\"0 bytes\"}"));
        k.send(new ProducerRecord<>("diffad.scores", "g", "not json"));
        k.commitTransaction();
        k.beginTransaction();
        k.send(new ProducerRecord<>("diffad.scores", "b", score("aborted", true)));
        k.flush();
        k.abortTransaction();
      }
      // The alerts topic appears only now (as when the job creates it with its first alert).
      broker.createTopics(1, "diffad.alerts");
      broker.produce("diffad.alerts", List.of("{\"source\":\"cam1\",\"ts\":\"2027-01-15T08:00:01Z\",\"count\":2,"
          + "\"windowSeconds\":60.0,\"firstTs\":\"2027-01-15T08:00:00Z\",\"lastTs\":\"2027-01-15T08:00:01Z\"}"));
      await("the committed records", () -> d.state().totals().read() >= 4);
      Thread.sleep(1500); // anything else would have arrived by now
      assertThat(d.state().totals()).isEqualTo(new DashboardState.Totals(1, 0, 1, 1, 1, 1));
      assertThat(d.state().snapshot().get("flagged")).extracting(n -> n.get("id").asText()).containsExactly("committed");
      assertThat(d.state().snapshot().at("/model/name").asText()).isEqualTo("k");
      assertThat(d.state().snapshot().has("feedError")).isFalse();
    }

    TopicsFeed all = TopicsFeed.withPrefix(broker.bootstrapServers(), "diffad", true);
    try (Dashboard d = Dashboard.start(DashboardSettings.defaults(), all, null)) {
      await("everything committed", () -> d.state().totals().read() >= 5);
      Thread.sleep(1000);
      assertThat(d.state().totals()).isEqualTo(new DashboardState.Totals(2, 0, 2, 1, 1, 1));
      assertThat(d.state().snapshot().get("flagged")).extracting(n -> n.get("id").asText())
          .containsExactlyInAnyOrder("committed", "before-start");
    }
    assertThat(feed.describe()).isEqualTo("kafka diffad.scores, diffad.rejected, diffad.alerts at "
        + broker.bootstrapServers() + " (from the latest offsets)");
  }
}
