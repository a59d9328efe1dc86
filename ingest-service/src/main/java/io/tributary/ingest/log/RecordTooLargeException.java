package io.tributary.ingest.log;

/** A batch larger than the topic's {@code max.message.bytes}. */
public class RecordTooLargeException extends RuntimeException {

    public RecordTooLargeException(String message) {
        super(message);
    }
}
