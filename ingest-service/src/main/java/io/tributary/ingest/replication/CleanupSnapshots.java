package io.tributary.ingest.replication;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.tributary.ingest.config.IngestProperties;
import io.tributary.ingest.log.PartitionLog;
import io.tributary.ingest.topic.TopicRegistry;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Conditional;
import org.springframework.stereotype.Component;

/**
 * Lets retention and compaction of partitions written through Raft entries go on. Such a partition's
 * retention deletes and its compaction rewrites only segments below its replica's latest Raft
 * snapshot point ({@link PartitionLog#limitCleanup}): a restart replays the entries after that point
 * against the stored batches, and needs them as written. Ratis snapshots every
 * {@code ingest.replication.snapshot-threshold} entries, which a quiet partition may take days to
 * reach; so every {@code ingest.maintenance.retention-check-interval}, each replica on this node
 * whose retention or compaction found segments due but kept them for that reason takes a snapshot
 * (a follower's too: each replica has its own). They go at their next check.
 */
@Component
@Conditional(ReplicationEnabledCondition.class)
class CleanupSnapshots {

    private static final Logger log = LoggerFactory.getLogger(CleanupSnapshots.class);

    private final TopicRegistry topics;
    private final RaftNode node;
    private final PartitionGroups groups;
    private final PartitionViews views;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("cleanup-snapshots").daemon().factory());

    CleanupSnapshots(TopicRegistry topics, RaftNode node, PartitionGroups groups, PartitionViews views,
                     IngestProperties props) {
        this.topics = topics;
        this.node = node;
        this.groups = groups;
        this.views = views;
        long interval = props.maintenance().retentionCheckInterval().toMillis();
        timer.scheduleWithFixedDelay(this::check, interval, interval, TimeUnit.MILLISECONDS);
    }

    /** One pass over the partitions hosted here (see the class comment). */
    void check() {
        for (TopicRegistry.Topic t : topics.list()) {
            for (int p = 0; p < t.partitions().size(); p++) {
                PartitionLog partitionLog = t.partitions().get(p);
                if (partitionLog == null || partitionLog.cleanupHeldTo() < 0) {
                    continue; // not hosted here, or nothing waits (the common case: one volatile read)
                }
                try {
                    maybeSnapshot(t, p, partitionLog);
                } catch (RuntimeException e) { // caught here: a throw would stop the timer for good
                    log.warn("{}-{}: snapshot for retention or compaction failed; will retry", t.name(), p, e);
                }
            }
        }
    }

    private void maybeSnapshot(TopicRegistry.Topic t, int p, PartitionLog partitionLog) {
        long heldTo = partitionLog.cleanupHeldTo();
        PartitionStateMachine sm = views.localStateMachine(t.name(), p);
        if (sm == null || sm.partitionLog() != partitionLog) {
            return;
        }
        PartitionStateMachine.SnapshotPoint point = sm.snapshotPoint();
        if (point != null && point.offset() >= heldTo) {
            return; // taken since; retention and compaction go on at their next checks
        }
        String failure = node.snapshotHere(groups.partitionGroup(t, p));
        if (failure != null) {
            log.info("{}-{}: no snapshot for retention or compaction (segments up to offset {} are due): {}",
                    t.name(), p, heldTo, failure);
        }
    }

    @PreDestroy
    void stop() {
        timer.shutdownNow();
    }
}
