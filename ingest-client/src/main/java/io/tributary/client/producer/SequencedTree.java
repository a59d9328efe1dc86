package io.tributary.client.producer;

import java.util.Map;
import java.util.Objects;

import tools.jackson.databind.JsonNode;

/**
 * A record whose value is a Jackson tree, with the sequence its writer derived for it (e.g. the
 * offset of the source record it was computed from). Sent with
 * {@link IngestProducer#sendSequencedTrees}, which writes the tree straight into the request body.
 *
 * @param key       null for a keyless record
 * @param value     the value; a null reference is sent as JSON null
 * @param headers   may be empty, never null
 * @param timestamp epoch millis, or null to let the server stamp the record
 * @param sequence  non-negative; must increase within one request
 */
public record SequencedTree(String key, JsonNode value, Map<String, String> headers, Long timestamp, long sequence) {

    public SequencedTree {
        Objects.requireNonNull(headers, "headers");
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence must not be negative, was " + sequence);
        }
    }
}
