package io.tributary.ingest.produce;

import java.util.List;

import io.tributary.ingest.log.Bytes;
import io.tributary.ingest.log.LogRecord;

/**
 * One record of a produce request as parsed: the value is the raw JSON text of the request,
 * sliced, not re-encoded.
 *
 * @param partition the requested partition, or -1 to let the key decide
 * @param timestamp the requested timestamp, or -1 for the time of arrival
 * @param sequence  the writer's own sequence number for this record (e.g. its source offset), or -1
 */
public record IncomingRecord(Bytes key, Bytes value, List<LogRecord.Header> headers, int partition, long timestamp,
                             long sequence) {

    public static final int ANY_PARTITION = -1;
    public static final long NOW = -1;
    public static final long NO_SEQUENCE = -1;
}
