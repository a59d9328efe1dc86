package io.tributary.ingest.replication;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The copy budget's time line: slots of {@code bytes / rate} back to back, idle time not saved up. */
class ReplicaCopyThrottleTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void chunksQueueOnOneTimeLineAtTheRate() {
        ReplicaCopyThrottle throttle = new ReplicaCopyThrottle(1000, new SimpleMeterRegistry());
        assertThat(throttle.book(500, 0)).isEqualTo(SECOND / 2);
        // A second copy booking at the same moment waits behind the first one's slot.
        assertThat(throttle.book(500, 0)).isEqualTo(SECOND);
        assertThat(throttle.book(1000, SECOND / 2)).isEqualTo(SECOND + SECOND / 2);
    }

    @Test
    void idleTimeIsNotSavedUp() {
        ReplicaCopyThrottle throttle = new ReplicaCopyThrottle(1000, new SimpleMeterRegistry());
        throttle.book(1000, 0);
        assertThat(throttle.book(100, 10 * SECOND)).isEqualTo(SECOND / 10);
    }

    @Test
    void zeroIsUnlimitedAndEveryChunkIsCounted() throws InterruptedException {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ReplicaCopyThrottle throttle = new ReplicaCopyThrottle(0, meters);
        assertThat(throttle.book(Long.MAX_VALUE / 2, 0)).isZero();
        throttle.copied(4096);
        throttle.copied(100);
        assertThat(meters.get("ingest.replication.copy.bytes").counter().count()).isEqualTo(4196);
    }
}
