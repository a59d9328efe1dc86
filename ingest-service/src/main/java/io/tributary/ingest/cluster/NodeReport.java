package io.tributary.ingest.cluster;

import java.util.List;

/**
 * What a cluster node says of itself to a peer building its cluster view (the internal endpoint
 * {@code GET /internal/cluster/report}): whether it is ready, the partitions its own Raft members
 * lead (with their term), and its failed replicas ({@code topic-partition}).
 */
public record NodeReport(int nodeId, boolean ready, List<Lead> leads, List<String> failedReplicas) {

    /** A partition this node's Raft member leads, under {@code term}. */
    public record Lead(String topic, int partition, long term) {
    }
}
