package ai.diffad.flink.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns every consumed message into one {@link KafkaMessage}; never fails, so a bad message
 * cannot stop the source (parsing and rejecting it is the next operator's job).
 */
public final class KafkaMessageDeserializer implements KafkaRecordDeserializationSchema<KafkaMessage> {
  private static final long serialVersionUID = 1L;

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<KafkaMessage> out) {
    byte[] value = record.value();
    out.collect(new KafkaMessage(value == null ? null : new String(value, StandardCharsets.UTF_8),
        origin(record.topic(), record.partition(), record.offset())));
  }

  /** The fallback id of a message: {@code topic/partition/offset}. */
  public static String origin(String topic, int partition, long offset) {
    return topic + "/" + partition + "/" + offset;
  }

  @Override
  public TypeInformation<KafkaMessage> getProducedType() {
    return TypeInformation.of(KafkaMessage.class);
  }
}
