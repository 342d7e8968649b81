package ai.diffad.flink.kafka;

/**
 * One message of the input topic, not yet parsed: its value as text and where it was read, which
 * names its rejection when the value has no readable id.
 *
 * @param json the message value (UTF-8), or null for a message without a value
 * @param origin {@code topic/partition/offset}
 */
public record KafkaMessage(String json, String origin) {}
