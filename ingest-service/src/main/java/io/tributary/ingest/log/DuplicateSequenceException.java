package io.tributary.ingest.log;

/**
 * A retry of a batch that was written long enough ago that its offsets are no longer
 * remembered. The data is in the log exactly once; only the original offsets are unknown.
 */
public class DuplicateSequenceException extends RuntimeException {

    public DuplicateSequenceException(String message) {
        super(message);
    }
}
