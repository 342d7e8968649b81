package ai.diffad.flink.kafka;

import ai.diffad.denoise.record.JsonLines;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * One record as one Kafka message: the value is its JSON (as in the JSON-lines files), the key a
 * field of it (the input id for results and rejections, the source for alerts), so that all
 * messages of one input or source land in one partition, in order.
 *
 * @param <T> record type
 */
public final class JsonRecordSerializer<T> implements KafkaRecordSerializationSchema<T> {
  private static final long serialVersionUID = 1L;

  private final String topic;
  private final SerializableFunction<T, String> key;

  /**
   * @param topic the topic
   * @param key the message key of a record (null: no key)
   */
  public JsonRecordSerializer(String topic, SerializableFunction<T, String> key) {
    this.topic = topic;
    this.key = key;
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext context, Long timestamp) {
    String k = key.apply(element);
    return new ProducerRecord<>(topic, null, timestamp,
        k == null ? null : k.getBytes(StandardCharsets.UTF_8),
        JsonLines.toJson(element).getBytes(StandardCharsets.UTF_8));
  }
}
