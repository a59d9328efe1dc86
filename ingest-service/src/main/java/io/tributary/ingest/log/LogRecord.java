package io.tributary.ingest.log;

import java.util.List;

/**
 * A record handed to the log for appending. {@code key} and {@code value} may be null (a null
 * value is a tombstone on a compacted topic). The value holds raw JSON bytes; the log never
 * looks inside it.
 */
public record LogRecord(Bytes key, Bytes value, List<Header> headers, long timestamp) {

    public LogRecord {
        headers = headers == null ? List.of() : headers;
    }

    public static LogRecord of(String key, String jsonValue, long timestamp) {
        return new LogRecord(key == null ? null : Bytes.utf8(key), jsonValue == null ? null : Bytes.utf8(jsonValue),
                List.of(), timestamp);
    }

    /** A record header; the value may be null. */
    public record Header(String key, Bytes value) {
    }
}
