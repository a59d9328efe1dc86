package io.tributary.client;

import java.util.Map;

import tools.jackson.databind.JsonNode;

/**
 * A record read from the log.
 *
 * @param key        null for keyless records
 * @param value      the record's JSON value as sent by the producer; a JSON null when
 *                   {@code valueError} is set
 * @param valueError null, or why the value could not be read (e.g. nested deeper than the reader's
 *                   limit): the record is handed over anyway so that the consumer can set it aside
 *                   (dead-letter it) instead of one record blocking its partition
 * @param rawValue   the value's JSON text as it came in when {@code valueError} is set; null otherwise
 */
public record ConsumedRecord(String topic, int partition, long offset, long timestamp, String key,
                             JsonNode value, Map<String, String> headers, String valueError, String rawValue) {

    public ConsumedRecord {
        headers = headers == null ? Map.of() : java.util.Collections.unmodifiableMap(headers);
    }

    /** A record whose value was read. */
    public ConsumedRecord(String topic, int partition, long offset, long timestamp, String key, JsonNode value,
                          Map<String, String> headers) {
        this(topic, partition, offset, timestamp, key, value, headers, null, null);
    }

    public TopicPartition topicPartition() {
        return new TopicPartition(topic, partition);
    }
}
