package io.tributary.ingest.kafka;

import io.tributary.ingest.log.PartitionLog;
import org.apache.kafka.common.Uuid;

/**
 * What the replication listener ({@link ReplicaListener}) serves followers from: the partitions this
 * node holds a replica of, and whether it leads them.
 */
public interface ReplicaSource {

    /**
     * The tagged field of a partition's answer (Fetch v12+, a tag Kafka does not define) that carries
     * {@link Replica#besideBatches}: the follower's kafka-clients parse keeps it as an unknown tagged
     * field, which the replication fetcher reads.
     */
    int BESIDE_BATCHES_TAG = 1000;

    /** A partition held here, by its topic's id; null when this node holds no replica of it. */
    Replica replica(Uuid topicId, int partition);

    /** One partition's replica on this node, as its followers see it. */
    interface Replica {

        /** The leader epoch this node leads the partition in; -1 while it does not lead it. */
        int leaderEpoch();

        PartitionLog log();

        /**
         * Follower {@code replicaId}, which holds every batch below {@code offset}, fetched from
         * there: the leader may count those batches as replicated by it.
         */
        void fetchedBy(int replicaId, long offset);

        /**
         * What a follower is sent beside the batches based in {@code [from, to)} (the
         * {@code Idempotency-Key} entries of those batches); null when nothing.
         */
        default byte[] besideBatches(long from, long to) {
            return null;
        }
    }
}
