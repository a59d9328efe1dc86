package io.tributary.ingest.fetch;

import io.tributary.ingest.log.FetchResult;

/**
 * Reads of partitions this node hosts no replica of (a replicated topic whose replication
 * factor is below the cluster size), from a node that does. Only on a cluster; a single node
 * hosts every partition.
 */
public interface RemoteReads {

    /** True when this node's log of the partition stays empty: its records live on other nodes. */
    boolean isRemote(String topic, int partition);

    /**
     * Like {@link io.tributary.ingest.log.PartitionLog#read}, from a replica: the batches from
     * {@code offset} and the replica's bounds. An {@code offset} of -1 reads the bounds only.
     *
     * @throws io.tributary.ingest.log.OffsetOutOfRangeException outside the replica's range
     * @throws io.tributary.ingest.problem.ProblemException 503 not-enough-replicas when no replica answers
     */
    FetchResult read(String topic, int partition, long offset, int maxBytes);
}
