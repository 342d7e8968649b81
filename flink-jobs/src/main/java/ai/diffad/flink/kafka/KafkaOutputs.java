package ai.diffad.flink.kafka;

import ai.diffad.flink.config.StreamConfig;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaSinkBuilder;
import org.apache.flink.util.function.SerializableFunction;

/**
 * The job's Kafka sinks. Exactly once: each sink writes in Kafka transactions that commit when a
 * checkpoint completes (two-phase commit), so a consumer reading with
 * {@code isolation.level=read_committed} sees every record once even across failures; records
 * become visible at checkpoint pace. At least once: plain acknowledged writes, visible at once,
 * repeated after a failure.
 */
public final class KafkaOutputs {
  private KafkaOutputs() {}

  /**
   * A sink writing JSON records to {@code topic}.
   *
   * @param cfg the Kafka output settings
   * @param topic the topic
   * @param name a short name, unique among the job's sinks (scores, rejected, alerts): it
   *     completes the transactional id prefix
   * @param key the message key of a record
   * @param exactlyOnce transactions (true) or at least once (false)
   */
  public static <T> KafkaSink<T> sink(StreamConfig.KafkaOutput cfg, String topic, String name,
      SerializableFunction<T, String> key, boolean exactlyOnce) {
    KafkaSinkBuilder<T> b = KafkaSink.<T>builder()
        .setBootstrapServers(cfg.bootstrapServers())
        .setRecordSerializer(new JsonRecordSerializer<>(topic, key))
        .setDeliveryGuarantee(exactlyOnce ? DeliveryGuarantee.EXACTLY_ONCE : DeliveryGuarantee.AT_LEAST_ONCE);
    if (exactlyOnce) {
      b.setTransactionalIdPrefix(cfg.transactionalIdPrefix() + "-" + name)
          // The connector's default (1 h) exceeds the brokers' default transaction.max.timeout.ms
          // (15 min), which makes every transaction fail to start.
          .setProperty("transaction.timeout.ms", Long.toString(cfg.transactionTimeout().toMillis()));
    }
    cfg.properties().forEach(b::setProperty);
    return b.build();
  }
}
