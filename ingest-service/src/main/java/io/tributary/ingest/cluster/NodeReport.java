package io.tributary.ingest.cluster;

import java.util.List;
import java.util.Map;

/**
 * What a cluster node says of itself to a peer building its cluster view (the internal endpoint
 * {@code GET /internal/cluster/report}): whether it is ready, the partitions its own Raft members
 * lead (with their term), its failed replicas ({@code topic-partition}), its traffic per topic
 * ({@link NodeTraffic}; null from a node that does not report it), and the partition count of its
 * {@code __consumer_offsets} (null before it has one, and from a node that does not report it).
 */
public record NodeReport(int nodeId, boolean ready, List<Lead> leads, List<String> failedReplicas,
                         Map<String, NodeTraffic.Traffic> traffic, Integer offsetsTopicPartitions) {

    /** A partition this node's Raft member leads, under {@code term}. */
    public record Lead(String topic, int partition, long term) {
    }
}
