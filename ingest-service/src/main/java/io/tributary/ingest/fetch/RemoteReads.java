package io.tributary.ingest.fetch;

import io.tributary.ingest.log.FetchResult;

/**
 * Reads on a cluster: of partitions this node hosts no replica of (a replicated topic whose
 * replication factor is below the cluster size), from a node that does; and the read barrier that
 * keeps a hosted replica's answers as new as its leader's. Only on a cluster; a single node hosts
 * every partition and its log is the truth.
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

    /**
     * Read your writes: returns once this node's replica of the partition has applied everything
     * its leader had committed when asked (a Raft read index), so that a read at or past the local
     * high watermark sees every write acknowledged before it began. Costs a round trip to the
     * leader on a follower, nothing on a leader holding its lease.
     *
     * @throws io.tributary.ingest.problem.ProblemException 503 not-enough-replicas (retriable) when the
     *         leader cannot confirm its commit point in time
     */
    void awaitCommitted(String topic, int partition);
}
