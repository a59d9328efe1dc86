package io.tributary.clean.step;

/** A record that fails a step; the message becomes the dead-letter record's {@code reason}. */
public class RecordRejectedException extends RuntimeException {

    public RecordRejectedException(String reason) {
        super(reason, null, false, false);
    }
}
