package ai.diffad.flink.kafka;

import ai.diffad.flink.config.StreamConfig;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The Kafka source of feed records: an unbounded FLIP-27 {@link KafkaSource} whose split offsets
 * are in Flink's checkpoints (so a restored job re-reads exactly what the failed one had not
 * checkpointed); offsets are also committed to the group on checkpoints, for monitoring and for
 * {@code startingOffsets: committed} on a fresh start.
 */
public final class KafkaFeed {
  private KafkaFeed() {}

  /** The source for {@code cfg}. */
  @SuppressWarnings("deprecation") // OffsetResetStrategy: the connector 5.0 API still takes it
  public static KafkaSource<KafkaMessage> source(StreamConfig.KafkaInput cfg) {
    OffsetsInitializer start = switch (cfg.startingOffsets()) {
      case COMMITTED -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
      case EARLIEST -> OffsetsInitializer.earliest();
      case LATEST -> OffsetsInitializer.latest();
    };
    KafkaSourceBuilder<KafkaMessage> b = KafkaSource.<KafkaMessage>builder()
        .setBootstrapServers(cfg.bootstrapServers())
        .setTopics(cfg.topic())
        .setGroupId(cfg.groupId())
        .setStartingOffsets(start)
        .setDeserializer(new KafkaMessageDeserializer())
        .setProperty("commit.offsets.on.checkpoint", "true")
        // Read only committed records of transactional producers (e.g. another exactly-once job).
        .setProperty("isolation.level", "read_committed");
    cfg.properties().forEach(b::setProperty);
    return b.build();
  }
}
