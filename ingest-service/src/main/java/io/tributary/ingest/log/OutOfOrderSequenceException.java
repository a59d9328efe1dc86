package io.tributary.ingest.log;

/** A batch whose sequence overlaps what the producer already wrote without being a retry of it. */
public class OutOfOrderSequenceException extends RuntimeException {

    public OutOfOrderSequenceException(String message) {
        super(message);
    }
}
