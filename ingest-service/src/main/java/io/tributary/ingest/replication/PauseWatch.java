package io.tributary.ingest.replication;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import org.apache.ratis.util.JvmPauseMonitor;
import org.apache.ratis.util.TimeDuration;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Conditional;
import org.springframework.stereotype.Component;

/**
 * Notices when this process itself stood still (a long GC, a host that took the CPU away): a thread
 * that sleeps 100 ms and measures how late it woke (Ratis's {@link JvmPauseMonitor}, which also logs
 * each pause longer than {@link #PAUSE} with the GC time behind it).
 *
 * <p>Why it matters: a leader judges a follower gone when it has heard nothing from it for an election
 * timeout ({@link InSyncReplicas}). While this process was paused it could hear nothing, so right after
 * a pause every follower looks silent although each may have answered in time; dropping them all would
 * leave the leader alone in the in-sync set and refuse writes ({@code not-enough-replicas}) until they
 * join again. Silence is only judged over a window this process was awake for.
 */
@Component
@Conditional(ReplicationEnabledCondition.class)
class PauseWatch {

    /** A late wake-up longer than this counts as a pause. */
    static final Duration PAUSE = Duration.ofMillis(200);
    private static final Duration SLEEP = Duration.ofMillis(100);

    private final JvmPauseMonitor monitor;
    /** {@link System#nanoTime} when the last pause was noticed; far in the past before the first. */
    private volatile long lastPause = System.nanoTime() - TimeUnit.DAYS.toNanos(1);
    /** {@link System#nanoTime} of the watching thread's last wake-up. */
    private volatile long lastWake = System.nanoTime();

    @Autowired
    PauseWatch(PartitionGroups groups) {
        this("node-" + groups.nodeId() + "-pause-watch");
    }

    PauseWatch(String name) {
        this.monitor = JvmPauseMonitor.newBuilder().setName(name)
                .setSleepTime(TimeDuration.valueOf(SLEEP.toMillis(), TimeUnit.MILLISECONDS))
                .setSleepDeviationThreshold(TimeDuration.valueOf(PAUSE.toMillis(), TimeUnit.MILLISECONDS))
                .setHandler(this::woke)
                .build();
    }

    @PostConstruct
    void start() {
        monitor.start();
    }

    @PreDestroy
    void stop() {
        monitor.stop();
    }

    /** Called after each sleep with how much longer than asked it lasted. */
    void woke(TimeDuration extra) {
        long now = System.nanoTime();
        if (extra.toLong(TimeUnit.MILLISECONDS) > PAUSE.toMillis()) {
            lastPause = now;
        }
        lastWake = now;
    }

    /**
     * Whether this process was paused within the last {@code window} (so it cannot tell who was silent in it),
     * or may be in a pause the watching thread has not woken up from yet.
     */
    boolean pausedWithin(Duration window) {
        long now = System.nanoTime();
        return now - lastPause < window.toNanos() || now - lastWake > SLEEP.plus(PAUSE).toNanos();
    }
}
