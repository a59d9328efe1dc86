package io.tributary.ingest.cluster;

import java.util.List;

/**
 * What describe shows for a partition: its leader's node id (-1 while unknown), the nodes that
 * hold a replica, and the replicas in sync with the leader.
 */
public record PartitionView(int leader, List<Integer> replicas, List<Integer> inSyncReplicas) {
}
