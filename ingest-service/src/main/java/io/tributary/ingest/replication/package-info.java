/**
 * Replication with Apache Ratis, on when {@code ingest.cluster.peers} is set: one Raft server per
 * node (one Raft port) hosting a metadata group over every node and one group per partition over
 * its replicas (multi-raft). Every election, commit and membership decision is Ratis's; this
 * package wires groups to state machines and turns produce and topic changes into Ratis requests.
 *
 * <ul>
 *   <li>{@link io.tributary.ingest.replication.PartitionGroups}: group ids, placement, the state
 *       machine of each group, which groups this node joins and leaves;</li>
 *   <li>{@code RaftNode}: this node's Raft server and Ratis clients, their start and close;
 *       {@code CommitPushRpcType}: Ratis's gRPC transport, whose leader tells followers of each
 *       commit at once;</li>
 *   <li>{@link io.tributary.ingest.replication.Proposals}: appends (through any node, or as the
 *       leader only) and the read barrier; {@code DirectWrites}: partitions with one replica,
 *       written by it without a Raft entry per batch ({@code ModeEntry}, {@code ReplicaAppendController});</li>
 *   <li>{@link io.tributary.ingest.replication.MetadataAdmin}: topic, producer-id and ACL changes
 *       through the metadata group ({@code MetadataCommand}, {@code MetadataReply});</li>
 *   <li>{@link io.tributary.ingest.replication.PartitionViews}: leaders, in-sync replicas and
 *       where a partition is read;</li>
 *   <li>the state machines ({@code PartitionStateMachine}, {@code MetadataStateMachine}) and the
 *       node-to-node reads and copies ({@code ReplicaReads}, {@code ReplicaCopyController},
 *       {@code ReplicaReadForwarding}, {@code FailedReplicas}).</li>
 * </ul>
 *
 * <p>The rest of the service reaches these through {@code cluster.RaftClusterOps}; see
 * docs/replication.md.
 */
package io.tributary.ingest.replication;
