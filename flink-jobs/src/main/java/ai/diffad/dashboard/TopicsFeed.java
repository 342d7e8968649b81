package ai.diffad.dashboard;

import ai.diffad.denoise.record.JsonLines;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the result topics ({@code PREFIX.scores}, {@code PREFIX.rejected}, {@code PREFIX.alerts})
 * with {@code isolation.level=read_committed}, so only records of committed transactions (the
 * exactly-once sinks' checkpoints) are shown, each once. No consumer group and no committed
 * offsets: the partitions are assigned directly, from their latest offsets at start (or their
 * beginning with {@code fromBeginning}); partitions and topics that appear later are read from
 * their beginning, since everything in them is newer than the start. The topic list is looked at
 * again every few seconds.
 */
public final class TopicsFeed implements Feed {
  private static final Logger LOG = LoggerFactory.getLogger(TopicsFeed.class);
  /** How often the partitions of the topics are listed again. */
  static final Duration REFRESH = Duration.ofSeconds(5);

  private final String bootstrap;
  private final Map<String, DashboardState.Kind> topics = new LinkedHashMap<>();
  private final boolean fromBeginning;
  private final Map<String, String> properties;
  private volatile boolean running;
  private volatile KafkaConsumer<byte[], byte[]> consumer;
  private volatile boolean ready;
  private Thread thread;

  /**
   * @param bootstrap host:port[,host:port...]
   * @param scores the results topic
   * @param rejected the rejections topic
   * @param alerts the alerts topic
   * @param fromBeginning read what the topics hold already (else only what comes after the start)
   * @param properties extra consumer properties (security settings), may be empty
   */
  public TopicsFeed(String bootstrap, String scores, String rejected, String alerts,
      boolean fromBeginning, Map<String, String> properties) {
    this.bootstrap = bootstrap;
    topics.put(scores, DashboardState.Kind.SCORE);
    topics.put(rejected, DashboardState.Kind.REJECTED);
    topics.put(alerts, DashboardState.Kind.ALERT);
    this.fromBeginning = fromBeginning;
    this.properties = Map.copyOf(properties);
  }

  /** The topics {@code prefix.scores}, {@code prefix.rejected}, {@code prefix.alerts}. */
  public static TopicsFeed withPrefix(String bootstrap, String prefix, boolean fromBeginning) {
    return new TopicsFeed(bootstrap, prefix + ".scores", prefix + ".rejected", prefix + ".alerts",
        fromBeginning, Map.of());
  }

  @Override
  public String describe() {
    return "kafka " + String.join(", ", topics.keySet()) + " at " + bootstrap
        + (fromBeginning ? " (from the beginning)" : " (from the latest offsets)");
  }

  @Override
  public synchronized void start(DashboardState state) {
    if (thread != null) {
      throw new IllegalStateException("started already");
    }
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, fromBeginning ? "earliest" : "latest");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "diffad-dashboard");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1000");
    p.putAll(properties);
    consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    running = true;
    thread = new Thread(() -> run(state), "dashboard-kafka-feed");
    thread.setDaemon(true);
    thread.start();
  }

  private void run(DashboardState state) {
    KafkaConsumer<byte[], byte[]> c = consumer;
    Set<TopicPartition> assigned = new HashSet<>();
    boolean listedOnce = false;
    long nextRefresh = 0;
    try {
      while (running) {
        if (System.nanoTime() >= nextRefresh) {
          try {
            List<TopicPartition> added = refresh(c, assigned);
            if (!added.isEmpty()) {
              c.assign(new ArrayList<>(assigned));
              if (!listedOnce && !fromBeginning) {
                c.seekToEnd(added);
              } else {
                c.seekToBeginning(added);
              }
              for (TopicPartition tp : added) {
                c.position(tp); // resolve the start now: what is produced from here on is read
              }
            }
            listedOnce = true;
            ready = true;
            String missing = missing(assigned);
            state.feedError(missing.isEmpty() ? null : "waiting for topics: " + missing);
          } catch (KafkaException e) {
            if (e instanceof WakeupException) {
              throw e;
            }
            state.feedError("cannot list the topics at " + bootstrap + ": " + e.getMessage());
          }
          nextRefresh = System.nanoTime() + (missing(assigned).isEmpty() ? REFRESH
              : Duration.ofSeconds(1)).toNanos();
        }
        if (assigned.isEmpty()) {
          Thread.sleep(200);
          continue;
        }
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          JsonNode n = null;
          if (r.value() != null) {
            try {
              n = JsonLines.mapper().readTree(r.value());
            } catch (IOException e) {
              n = null;
            }
          }
          if (n == null || !n.isObject()) {
            state.unreadable();
          } else {
            state.accept(topics.get(r.topic()), n);
          }
        }
      }
    } catch (WakeupException | InterruptedException e) {
      // closing
    } catch (RuntimeException e) {
      state.feedError("the Kafka consumer stopped: " + e.getMessage());
      LOG.warn("dashboard: the Kafka consumer stopped", e);
    } finally {
      c.close(Duration.ofSeconds(5));
    }
  }

  private List<TopicPartition> refresh(KafkaConsumer<byte[], byte[]> c, Set<TopicPartition> assigned) {
    Map<String, List<PartitionInfo>> all = new HashMap<>();
    KafkaException failed = null;
    for (String t : topics.keySet()) {
      try {
        List<PartitionInfo> ps = c.partitionsFor(t, Duration.ofSeconds(5));
        if (ps != null) {
          all.put(t, ps);
        }
      } catch (WakeupException e) {
        throw e;
      } catch (KafkaException e) {
        failed = e; // a missing topic may time out: the others are still read
      }
    }
    if (all.isEmpty() && failed != null) {
      throw failed;
    }
    List<TopicPartition> added = new ArrayList<>();
    for (List<PartitionInfo> ps : all.values()) {
      for (PartitionInfo i : ps) {
        TopicPartition tp = new TopicPartition(i.topic(), i.partition());
        if (assigned.add(tp)) {
          added.add(tp);
        }
      }
    }
    return added;
  }

  private String missing(Set<TopicPartition> assigned) {
    List<String> m = new ArrayList<>();
    for (String t : topics.keySet()) {
      if (assigned.stream().noneMatch(tp -> tp.topic().equals(t))) {
        m.add(t);
      }
    }
    return String.join(", ", m);
  }

  /** Whether the topics were listed once and the partitions found have their start offsets. */
  public boolean ready() {
    return ready;
  }

  @Override
  public void close() {
    running = false;
    KafkaConsumer<byte[], byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    Thread t;
    synchronized (this) {
      t = thread;
    }
    if (t != null) {
      try {
        t.join(15_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
