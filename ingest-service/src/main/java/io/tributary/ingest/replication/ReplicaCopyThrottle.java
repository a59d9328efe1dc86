package io.tributary.ingest.replication;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Conditional;
import org.springframework.stereotype.Component;

/**
 * The node-wide budget of a replica rebuilding partitions by copying them from their leaders
 * ({@link PartitionStateMachine}'s copy): {@code ingest.replication.copy-rate} bytes per second
 * over all copies at once, and the counter {@code ingest.replication.copy.bytes} of what was copied.
 *
 * <p>Each copied chunk books its bytes on one time line shared by every copy: a chunk's slot starts
 * where the previous one's ended (or now, if that is past) and lasts {@code bytes / rate}; the copy
 * waits for the end of its slot before asking for the next chunk. Idle time is not saved up, so a
 * copy that starts after a quiet hour still goes at the rate.
 */
@Component
@Conditional(ReplicationEnabledCondition.class)
public class ReplicaCopyThrottle {

    private final long bytesPerSecond;
    private final Counter copied;
    /** When the next chunk may start, in {@link System#nanoTime()}; guarded by this. */
    private long nextFreeNanos = Long.MIN_VALUE;

    @Autowired
    public ReplicaCopyThrottle(ReplicationProperties settings, MeterRegistry meters) {
        this(settings.copyRate().toBytes(), meters);
    }

    ReplicaCopyThrottle(long bytesPerSecond, MeterRegistry meters) {
        this.bytesPerSecond = bytesPerSecond;
        this.copied = Counter.builder("ingest.replication.copy.bytes")
                .description("bytes of partition log copied from leaders to rebuild replicas").baseUnit("bytes")
                .register(meters);
    }

    /** Counts a copied chunk and waits until the budget allows the next one (at once when unlimited). */
    void copied(long bytes) throws InterruptedException {
        copied.increment(bytes);
        long waitNanos = book(bytes, System.nanoTime());
        if (waitNanos > 0) {
            Thread.sleep(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
        }
    }

    /** Books {@code bytes} on the shared time line; answers how long to wait from {@code now}. */
    synchronized long book(long bytes, long now) {
        if (bytesPerSecond <= 0) {
            return 0;
        }
        long start = nextFreeNanos == Long.MIN_VALUE || nextFreeNanos - now < 0 ? now : nextFreeNanos;
        // bytes * 1e9 / rate without overflow for any chunk size this copy uses
        nextFreeNanos = start + (long) (bytes * (1_000_000_000.0 / bytesPerSecond));
        return nextFreeNanos - now;
    }
}
