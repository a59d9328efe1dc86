package io.tributary.client;

/**
 * The requested offset is outside {@code [logStartOffset, logEndOffset]}; callers usually
 * reset to one of the two bounds.
 */
public class OffsetOutOfRangeException extends IngestException {

    private final long logStartOffset;
    private final long logEndOffset;

    public OffsetOutOfRangeException(int status, String type, String title, String detail,
                                     long logStartOffset, long logEndOffset) {
        super(status, type, title, detail, false, null);
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
