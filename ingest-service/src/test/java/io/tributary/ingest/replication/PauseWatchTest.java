package io.tributary.ingest.replication;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class PauseWatchTest {

    @Test
    void aLateWakeUpCountsAsAPauseForTheWindowAfterIt() {
        PauseWatch watch = new PauseWatch("test");
        watch.woke(TimeDuration.valueOf(5, TimeUnit.MILLISECONDS));
        assertThat(watch.pausedWithin(Duration.ofSeconds(1))).as("a wake-up on time").isFalse();

        watch.woke(TimeDuration.valueOf(400, TimeUnit.MILLISECONDS));
        assertThat(watch.pausedWithin(Duration.ofSeconds(1))).isTrue();
        watch.woke(TimeDuration.valueOf(5, TimeUnit.MILLISECONDS)); // on time again: the pause still counts
        assertThat(watch.pausedWithin(Duration.ofSeconds(1))).isTrue();
        assertThat(watch.pausedWithin(Duration.ZERO)).as("not within an empty window").isFalse();
    }

    @Test
    void aWatchThatHasNotWokenForLongMayBeInAPauseNotSeenYet() {
        PauseWatch watch = new PauseWatch("test"); // not started: it never wakes
        watch.woke(TimeDuration.valueOf(5, TimeUnit.MILLISECONDS));
        assertThat(watch.pausedWithin(Duration.ofSeconds(1))).isFalse();
        await().atMost(Duration.ofSeconds(5)).until(() -> watch.pausedWithin(Duration.ofMillis(1)));
    }

    @Test
    void aRunningWatchOnAnIdleMachineSeesNoPause() {
        PauseWatch watch = new PauseWatch("test");
        watch.start();
        try {
            // Awake and on time, it keeps saying so (a loaded machine may pause it: then it must say so, which
            // is what the other tests check).
            await().atMost(Duration.ofSeconds(10)).until(() -> !watch.pausedWithin(Duration.ofMillis(50)));
        } finally {
            watch.stop();
        }
    }
}
