package ai.diffad.flink.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real Kafka broker inside the test JVM (STACK.md: no Docker here): one combined KRaft node
 * (broker and controller) on 127.0.0.1, with replication factor 1 for the offsets and
 * transaction-state topics, so transactions work on one node. About 2 s to start.
 */
public final class KafkaBroker implements AutoCloseable {
  private final KafkaClusterTestKit cluster;

  private KafkaBroker(KafkaClusterTestKit cluster) {
    this.cluster = cluster;
  }

  /** Formats and starts the node; returns once it serves clients. */
  public static KafkaBroker start() throws Exception {
    KafkaClusterTestKit c = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
            .setCombined(true)
            .setNumBrokerNodes(1)
            .setNumControllerNodes(1)
            .build())
        .setConfigProp("offsets.topic.replication.factor", "1")
        .setConfigProp("offsets.topic.num.partitions", "2")
        .setConfigProp("transaction.state.log.replication.factor", "1")
        .setConfigProp("transaction.state.log.min.isr", "1")
        .setConfigProp("transaction.state.log.num.partitions", "2")
        .setConfigProp("group.initial.rebalance.delay.ms", "0")
        .setConfigProp("auto.create.topics.enable", "false")
        .build();
    c.format();
    c.startup();
    c.waitForReadyBrokers();
    return new KafkaBroker(c);
  }

  /** host:port of the broker. */
  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  /** Creates topics of {@code partitions} partitions each. */
  public void createTopics(int partitions, String... topics) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
      createTopics(admin, Duration.ofSeconds(30), partitions, topics);
    }
  }

  /** Creates topics of {@code partitions} partitions (replication 1) through {@code admin}. */
  public static void createTopics(Admin admin, Duration timeout, int partitions, String... topics)
      throws Exception {
    List<NewTopic> list = new ArrayList<>();
    for (String t : topics) {
      list.add(new NewTopic(t, partitions, (short) 1));
    }
    admin.createTopics(list).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** A consumer of committed records only (read_committed), no offsets committed, no group. */
  public static KafkaConsumer<String, String> committedConsumer(String bootstrapServers) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
  }

  /** Sends {@code values} to {@code topic} (keyless, acks=all) and waits for all acks. */
  public void produce(String topic, List<String> values) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(8 << 20));
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
      for (String v : values) {
        producer.send(new ProducerRecord<>(topic, v));
      }
      producer.flush();
    }
  }

  /**
   * Reads {@code topic} from the start with isolation.level=read_committed (only records of
   * committed transactions) until {@code done} holds for what was read, then reads on for
   * {@code settle} more (to catch late duplicates); fails after {@code timeout}.
   */
  public List<String> readCommitted(String topic, Predicate<List<String>> done, Duration settle,
      Duration timeout) {
    List<String> out = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = committedConsumer(bootstrapServers())) {
      List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
          .map(i -> new TopicPartition(topic, i.partition())).toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      long deadline = System.nanoTime() + timeout.toNanos();
      long settleUntil = Long.MAX_VALUE;
      while (System.nanoTime() < Math.min(deadline, settleUntil)) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          out.add(r.value());
        }
        if (settleUntil == Long.MAX_VALUE && done.test(out)) {
          settleUntil = System.nanoTime() + settle.toNanos();
        }
      }
      if (settleUntil == Long.MAX_VALUE) {
        throw new AssertionError("timed out after " + timeout + " reading " + topic + "; read "
            + out.size() + " records: " + (out.size() > 20 ? out.subList(0, 20) + " ..." : out));
      }
    }
    return out;
  }

  /** Topics of the broker. */
  public Set<String> topics() throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
      return admin.listTopics().names().get(30, TimeUnit.SECONDS);
    }
  }

  @Override
  public void close() throws Exception {
    cluster.close();
  }
}
