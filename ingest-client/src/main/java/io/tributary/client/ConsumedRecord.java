package io.tributary.client;

import java.util.Map;

import tools.jackson.databind.JsonNode;

/**
 * A record read from the log.
 *
 * @param key   null for keyless records
 * @param value the record's JSON value as sent by the producer
 */
public record ConsumedRecord(String topic, int partition, long offset, long timestamp, String key,
                             JsonNode value, Map<String, String> headers) {

    public ConsumedRecord {
        headers = headers == null ? Map.of() : java.util.Collections.unmodifiableMap(headers);
    }

    public TopicPartition topicPartition() {
        return new TopicPartition(topic, partition);
    }
}
