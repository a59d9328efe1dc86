package io.tributary.ingest.replication.fetch;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import io.tributary.ingest.log.PartitionLog;

/**
 * A leader's view, for one partition and one leader epoch, of how far each follower's log reaches,
 * learnt from their fetch offsets, and the high watermark it gives: the lowest log end among the
 * leader and the followers counted in sync. A follower that has not fetched yet in this epoch
 * counts as holding nothing past the high watermark the leader started the epoch with.
 *
 * <p>Made anew for each epoch a node leads in: offsets learnt under an earlier leader say nothing
 * about the logs now.
 */
public final class ReplicaProgress {

    private final PartitionLog log;
    private final Set<Integer> inSync;
    private final long startHighWatermark;
    /** Guarded by itself. */
    private final Map<Integer, Long> reached = new HashMap<>();

    /**
     * @param inSync the followers (not this node) whose logs the high watermark waits for
     */
    public ReplicaProgress(PartitionLog log, Set<Integer> inSync) {
        this.log = log;
        this.inSync = Set.copyOf(inSync);
        this.startHighWatermark = log.highWatermark();
    }

    /** Follower {@code replicaId} holds every batch below {@code offset}; may move the high watermark. */
    public void fetchedBy(int replicaId, long offset) {
        long lowest;
        synchronized (reached) {
            reached.merge(replicaId, offset, Math::max);
            lowest = lowestInSync();
        }
        log.raiseHighWatermark(lowest);
    }

    /** After this node appended: with no follower in sync its own log end is the high watermark. */
    public void appended() {
        if (inSync.isEmpty()) {
            log.raiseHighWatermark(log.logEndOffset());
        }
    }

    /** How far a follower's log reaches, as far as this leader learnt; -1 before its first fetch. */
    public long reached(int replicaId) {
        synchronized (reached) {
            return reached.getOrDefault(replicaId, -1L);
        }
    }

    private long lowestInSync() {
        long lowest = log.logEndOffset();
        for (int id : inSync) {
            lowest = Math.min(lowest, reached.getOrDefault(id, startHighWatermark));
        }
        return lowest;
    }
}
