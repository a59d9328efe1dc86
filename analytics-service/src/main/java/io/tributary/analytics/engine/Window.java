package io.tributary.analytics.engine;

/**
 * A half-open event-time interval {@code [start, end)} in epoch milliseconds. {@link #GLOBAL}
 * stands for "no window" (a running aggregate): it never closes.
 */
public record Window(long start, long end) implements Comparable<Window> {

    public static final Window GLOBAL = new Window(Long.MIN_VALUE, Long.MAX_VALUE);

    public Window {
        if (end <= start) {
            throw new IllegalArgumentException("window end " + end + " must be after its start " + start);
        }
    }

    public boolean isGlobal() {
        return start == Long.MIN_VALUE && end == Long.MAX_VALUE;
    }

    /** Closed once the watermark has reached its end (Spark's rule: {@code end <= watermark}). */
    public boolean closedBy(long watermark) {
        return !isGlobal() && end <= watermark;
    }

    @Override
    public int compareTo(Window other) {
        int byStart = Long.compare(start, other.start);
        return byStart != 0 ? byStart : Long.compare(end, other.end);
    }
}
