package io.tributary.analytics.engine;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * The event times a job accepts, relative to the processing time of the batch: from
 * {@code now - maxPast} to {@code now + maxFuture}. A record outside is counted invalid and never
 * moves the watermark, so one absurd time (year 9999, 2^63-1, a negative number, seconds taken for
 * milliseconds) can neither close every window for good nor overflow the window arithmetic.
 *
 * @param maxPast   how far before the processing time an event time may lie
 * @param maxFuture how far after the processing time an event time may lie
 * @param clock     the processing time
 */
public record EventTimeBounds(Duration maxPast, Duration maxFuture, Clock clock) {

    /** No bounds (every representable time is accepted; the window arithmetic still never overflows). */
    public static final EventTimeBounds NONE = new EventTimeBounds(null, null, Clock.systemUTC());

    public EventTimeBounds {
        Objects.requireNonNull(clock, "clock");
        if (maxPast != null && maxPast.isNegative() || maxFuture != null && maxFuture.isNegative()) {
            throw new IllegalArgumentException("event-time bounds must not be negative");
        }
    }

    /** The earliest accepted event time for a batch processed at {@code now}. */
    long lowest(long now) {
        return maxPast == null ? Long.MIN_VALUE + 1 : saturatedSubtract(now, millis(maxPast));
    }

    /** The latest accepted event time for a batch processed at {@code now}. */
    long highest(long now) {
        return maxFuture == null ? Long.MAX_VALUE : saturatedAdd(now, millis(maxFuture));
    }

    private static long millis(Duration duration) {
        try {
            return duration.toMillis();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? (b < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : sum;
    }

    static long saturatedSubtract(long a, long b) {
        long difference = a - b;
        return ((a ^ b) & (a ^ difference)) < 0 ? (b > 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : difference;
    }
}
