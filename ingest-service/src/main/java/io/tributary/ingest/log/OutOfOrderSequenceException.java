package io.tributary.ingest.log;

/** A batch whose sequence overlaps what the producer already wrote without being a retry of it. */
public class OutOfOrderSequenceException extends RuntimeException {

    private final long lastSequence;

    public OutOfOrderSequenceException(String message, long lastSequence) {
        super(message);
        this.lastSequence = lastSequence;
    }

    /** The last sequence this producer wrote to the partition: a writer may resend what lies after it. */
    public long lastSequence() {
        return lastSequence;
    }
}
