package io.tributary.ingest.log;

/** Bytes on disk (or from a peer) that do not form a valid batch: torn write, bit flip, bad framing. */
public class CorruptRecordException extends RuntimeException {

    public CorruptRecordException(String message) {
        super(message);
    }
}
