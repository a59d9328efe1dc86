package io.tributary.clean.step;

import java.util.LinkedHashMap;
import java.util.Map;

import tools.jackson.databind.node.ObjectNode;

/**
 * The record as it moves through the steps: its value is a private, mutable copy of the source
 * value (always a JSON object), its headers a private mutable map. Used by one thread at a time.
 */
public final class WorkingRecord {

    private final String key;
    private final ObjectNode value;
    private final Map<String, String> headers;
    private final long timestamp;

    public WorkingRecord(String key, ObjectNode value, Map<String, String> headers, long timestamp) {
        this.key = key;
        this.value = value;
        this.headers = new LinkedHashMap<>(headers);
        this.timestamp = timestamp;
    }

    /** The record key, null for keyless records. Steps do not change it: it decides the sink partition. */
    public String key() {
        return key;
    }

    public ObjectNode value() {
        return value;
    }

    public Map<String, String> headers() {
        return headers;
    }

    /** The source record's timestamp, epoch millis. */
    public long timestamp() {
        return timestamp;
    }
}
