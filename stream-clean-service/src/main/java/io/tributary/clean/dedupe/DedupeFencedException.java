package io.tributary.clean.dedupe;

/** A newer owner (a higher producer epoch) has claimed the partition's dedupe state. */
public class DedupeFencedException extends RuntimeException {

    public DedupeFencedException(String message) {
        super(message);
    }
}
