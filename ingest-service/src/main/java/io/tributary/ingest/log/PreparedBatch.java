package io.tributary.ingest.log;

/** An encoded, checked batch waiting to be appended, with its records' timestamps. */
public record PreparedBatch(RecordBatch batch, long[] timestamps) {
}
