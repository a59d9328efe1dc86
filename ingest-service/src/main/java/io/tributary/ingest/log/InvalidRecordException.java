package io.tributary.ingest.log;

/** A record the topic cannot take as given, e.g. a keyless record on a compacted topic. */
public class InvalidRecordException extends RuntimeException {

    public InvalidRecordException(String message) {
        super(message);
    }
}
