/**
 * The one place that decides whether this node works alone or as a member of a Raft cluster.
 *
 * <p>{@link io.tributary.ingest.cluster.ClusterOps} is what the rest of the service asks when a
 * write, a topic change or a question about a partition's leader depends on that: produce, topic
 * and producer admin, ACL changes, group placement and offsets, fetch. Exactly one implementation
 * is a bean: {@link io.tributary.ingest.cluster.SingleNodeOps} when {@code ingest.cluster.peers} is
 * empty (everything on the local {@code TopicRegistry}, {@code ProducerIds} and {@code AclStore}),
 * {@link io.tributary.ingest.cluster.RaftClusterOps} otherwise (through the Raft groups of
 * {@code replication}: {@link io.tributary.ingest.replication.PartitionGroups} for placement,
 * {@link io.tributary.ingest.replication.Proposals} for writes,
 * {@link io.tributary.ingest.replication.MetadataAdmin} for topic, producer and ACL changes,
 * {@link io.tributary.ingest.replication.PartitionViews} for leaders and replicas). Callers never
 * branch on the mode themselves.
 *
 * <p>The operator's cluster view ({@link io.tributary.ingest.cluster.ClusterView}) is built here too:
 * on a cluster from this node's Raft members and the {@link io.tributary.ingest.cluster.NodeReport}
 * each peer gives of itself over an internal endpoint.
 */
package io.tributary.ingest.cluster;
