package io.tributary.clean.runner;

import java.util.function.LongSupplier;

/**
 * Events per second over the last {@value #WINDOW_SECONDS} complete seconds, from one counter
 * per second in a ring. Thread-safe; {@link #mark} is a short synchronized increment.
 */
final class RateMeter {

    static final int WINDOW_SECONDS = 10;

    private final LongSupplier clockMillis;
    private final long[] counts = new long[WINDOW_SECONDS + 1];
    private final long[] seconds = new long[WINDOW_SECONDS + 1];

    RateMeter(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
    }

    synchronized void mark(long events) {
        long second = clockMillis.getAsLong() / 1000;
        int slot = (int) (second % counts.length);
        if (seconds[slot] != second) {
            seconds[slot] = second;
            counts[slot] = 0;
        }
        counts[slot] += events;
    }

    /** Average per second over the last complete seconds of the window (the current one excluded). */
    synchronized double perSecond() {
        long now = clockMillis.getAsLong() / 1000;
        long total = 0;
        for (int i = 0; i < counts.length; i++) {
            if (seconds[i] < now && seconds[i] >= now - WINDOW_SECONDS) {
                total += counts[i];
            }
        }
        return (double) total / WINDOW_SECONDS;
    }
}
