package io.tributary.client.producer;

import java.util.LinkedHashMap;
import java.util.Map;

import io.tributary.client.internal.Json;
import tools.jackson.databind.JsonNode;

/**
 * A record to produce. The value is JSON text that is embedded in the request as is (never
 * re-encoded as a JSON string); the producer checks it is one valid JSON value at send time.
 *
 * @param key       routes the record to {@code Partitioner.partitionForKey(key, partitions)}; null
 *                  for round-robin
 * @param valueJson the value as JSON text; {@code "null"} when none
 * @param partition an explicit partition, overriding the key; null to let the producer choose
 * @param timestamp epoch millis; null to let the server stamp the record
 */
public record ProducerRecord(String key, String valueJson, Map<String, String> headers, Integer partition,
                             Long timestamp) {

    /** Fixed per-record allowance for JSON punctuation and numbers when bounding memory. */
    private static final int OVERHEAD_BYTES = 64;

    public ProducerRecord {
        valueJson = valueJson == null ? "null" : valueJson;
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    /** A record whose value is already JSON text, e.g. {@code "{\"id\":1}"}. */
    public static ProducerRecord ofJson(String key, String valueJson) {
        return new ProducerRecord(key, valueJson, Map.of(), null, null);
    }

    /** A record whose value is a Jackson tree. */
    public static ProducerRecord of(String key, JsonNode value) {
        return ofJson(key, value == null ? null : Json.MAPPER.writeValueAsString(value));
    }

    public ProducerRecord withHeader(String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(headers);
        copy.put(name, value);
        return new ProducerRecord(key, valueJson, copy, partition, timestamp);
    }

    public ProducerRecord withPartition(int explicitPartition) {
        return new ProducerRecord(key, valueJson, headers, explicitPartition, timestamp);
    }

    public ProducerRecord withTimestamp(long epochMillis) {
        return new ProducerRecord(key, valueJson, headers, partition, epochMillis);
    }

    /** An upper estimate of the record's share of a request body, in bytes (chars). */
    int estimatedBytes() {
        int size = OVERHEAD_BYTES + valueJson.length() + (key == null ? 0 : key.length());
        for (Map.Entry<String, String> header : headers.entrySet()) {
            size += header.getKey().length() + header.getValue().length() + 6;
        }
        return size;
    }
}
