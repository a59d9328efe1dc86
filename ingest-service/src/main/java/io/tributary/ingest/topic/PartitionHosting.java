package io.tributary.ingest.topic;

/**
 * Which partitions this node keeps a log of. A single node hosts every partition; a cluster
 * member only those it holds a replica of (placement), so no files or handles exist for the
 * others. The cluster's rule lives with the cluster ({@code cluster.ClusterPlacement}).
 */
@FunctionalInterface
public interface PartitionHosting {

    /** Every partition, as on a single node. */
    PartitionHosting ALL = (topic, partition) -> true;

    boolean hosts(TopicMetadata topic, int partition);
}
