package io.tributary.clean.step;

import java.util.LinkedHashMap;
import java.util.Map;

import io.tributary.clean.step.dedupe.KeyMemory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The record as it moves through the steps: its value is a private, mutable copy of the source
 * value (always a JSON object), its headers a private mutable map. It also carries where it
 * came from (its source offset) and what the dedupe steps remember about its source partition.
 * Used by one thread at a time.
 */
public final class WorkingRecord {

    private final String key;
    private final ObjectNode value;
    private final Map<String, String> headers;
    private final long timestamp;
    private final long offset;
    private final KeyMemory keyMemory;
    private boolean duplicate;

    /** A record on its own (offset 0, nothing remembered), e.g. for a single preview or a test. */
    public WorkingRecord(String key, ObjectNode value, Map<String, String> headers, long timestamp) {
        this(key, value, headers, timestamp, 0, new KeyMemory());
    }

    public WorkingRecord(String key, ObjectNode value, Map<String, String> headers, long timestamp, long offset,
                         KeyMemory keyMemory) {
        this.key = key;
        this.value = value;
        this.headers = new LinkedHashMap<>(headers);
        this.timestamp = timestamp;
        this.offset = offset;
        this.keyMemory = keyMemory;
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

    /** The source record's offset in its partition. */
    public long offset() {
        return offset;
    }

    /** What dedupe steps remember about the source partition. */
    public KeyMemory keyMemory() {
        return keyMemory;
    }

    /** Set by a dedupe step that drops the record, so the drop is told apart from a filter. */
    public void markDuplicate() {
        duplicate = true;
    }

    public boolean duplicate() {
        return duplicate;
    }
}
