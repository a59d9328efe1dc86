package io.tributary.ingest.log;

/** A fetch below the log start or beyond the high watermark. */
public class OffsetOutOfRangeException extends RuntimeException {

    private final long logStartOffset;
    private final long logEndOffset;

    public OffsetOutOfRangeException(long offset, long logStartOffset, long logEndOffset) {
        super("offset " + offset + " is outside the log's range [" + logStartOffset + ", " + logEndOffset + "]");
        this.logStartOffset = logStartOffset;
        this.logEndOffset = logEndOffset;
    }

    public long logStartOffset() {
        return logStartOffset;
    }

    public long logEndOffset() {
        return logEndOffset;
    }
}
