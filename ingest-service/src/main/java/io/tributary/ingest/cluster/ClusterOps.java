package io.tributary.ingest.cluster;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.tributary.ingest.acl.AclBinding;
import io.tributary.ingest.acl.AclCommand;
import io.tributary.ingest.log.AppendResult;
import io.tributary.ingest.log.FetchResult;
import io.tributary.ingest.log.PreparedBatch;
import io.tributary.ingest.produce.IdempotencyKey;
import io.tributary.ingest.produce.ProducerIds;
import io.tributary.ingest.topic.TopicRegistry;

/**
 * The seam between a single node and a Raft cluster: every operation whose path depends on
 * whether this node replicates. Exactly one implementation is a bean ({@link SingleNodeOps} or
 * {@link RaftClusterOps}, chosen by {@code ingest.cluster.peers}); callers take this interface
 * and never ask which one they hold, except through {@link #replicated()} where a behaviour
 * (not a path) differs, such as one coordinator per consumer group.
 *
 * <p>Validation that both modes share (names, partition counts, configs) happens inside the
 * implementations, with the same exceptions, so the HTTP answers are the same in both modes.
 */
public interface ClusterOps {

    /** True on a Raft cluster (even one of a single configured peer); false on a lone node. */
    boolean replicated();

    /** This node's id ({@code ingest.node-id}). */
    int nodeId();

    /** Members of the cluster; 1 on a single node. */
    int clusterSize();

    /**
     * Where Kafka clients reach each member ({@code host:kafkaPort} by node id), for the members with a
     * Kafka port (given in {@code ingest.cluster.peers}, or when the member was added); empty on a single
     * node and when none has one.
     */
    default Map<Integer, String> kafkaEndpoints() {
        return Map.of();
    }

    /**
     * Where this node's own settings say Kafka clients reach it ({@code host:kafkaPort}): its entry of
     * {@code ingest.cluster.peers}, or {@code ingest.cluster.self-address} on a node added later (known
     * before it is a member); null when they give no Kafka port, and on a single node.
     */
    default String ownKafkaEndpoint() {
        return null;
    }

    /**
     * The cluster as this node sees it, for operators ({@code GET /api/v1/cluster}): every member
     * with its status and the partitions it leads and follows. On a cluster the other members are
     * asked at once, for at most {@code ingest.replication.peer-probe-timeout}; a single node
     * answers itself alone, leading everything.
     */
    ClusterView clusterView();

    /** The nodes that hold a replica of a partition (placement); this node alone on a single node. */
    List<Integer> replicas(TopicRegistry.Topic topic, int partition);

    /**
     * True when this node answers reads of the partition from its own log: it hosts a replica
     * that has not failed (see replication/FailedReplicas). Otherwise reads go to a replica that does.
     */
    default boolean servesReads(TopicRegistry.Topic topic, int partition) {
        return topic.hosts(partition);
    }

    /**
     * Read your writes: returns once this node's replica of the partition has applied everything
     * acknowledged before the call (nothing to wait for on a single node, whose log is the truth).
     * A read at or past the local high watermark calls it first.
     *
     * @throws io.tributary.ingest.problem.ProblemException 503 not-enough-replicas (retriable) when a
     *         cluster's leader cannot confirm its commit point in time
     */
    default void awaitCommitted(TopicRegistry.Topic topic, int partition) {
    }

    /**
     * {@link #awaitCommitted} as a future, for callers that wait on several partitions at once for
     * a bounded time (describe); completes exceptionally when it cannot be confirmed.
     */
    default CompletableFuture<Void> catchUp(TopicRegistry.Topic topic, int partition) {
        return CompletableFuture.completedFuture(null);
    }

    /** Leader, replicas and in-sync replicas of a partition, for describe. */
    PartitionView view(TopicRegistry.Topic topic, int partition);

    /**
     * The partition's leader as this node knows it: its own Raft member's view, or for a partition it
     * hosts no replica of, what the replicas last reported (refreshed in the background, at most once a
     * second); -1 when unknown (an election is going on, or no report yet).
     */
    int leaderOf(TopicRegistry.Topic topic, int partition);

    /**
     * The epoch under which this node leads the partition: 0 on a single node; on a cluster the
     * Raft term while this node leads it and has applied every earlier entry, else -1.
     */
    long leaderTerm(TopicRegistry.Topic topic, int partition);

    /**
     * Appends a prepared batch to a partition, from any node, and answers with the offsets and
     * timestamps it got.
     *
     * @throws io.tributary.ingest.problem.ProblemException 503 not-enough-replicas (retriable) when
     *         a cluster did not commit it in time; it may still be committed later
     */
    AppendResult append(TopicRegistry.Topic topic, int partition, PreparedBatch batch);

    /**
     * {@link #append} of a batch of a request sent with an {@code Idempotency-Key}: on a cluster the
     * key goes into the partition's Raft entry, and a partition that already holds it answers the
     * original offsets (as a duplicate) without appending. A single node ignores it: its
     * {@link io.tributary.ingest.produce.IdempotencyKeys} already answered any retry.
     *
     * @throws io.tributary.ingest.problem.ProblemException 422 idempotency-key-reused when the
     *         partition holds the key for another request body; 503 as {@link #append}
     */
    default AppendResult append(TopicRegistry.Topic topic, int partition, PreparedBatch batch, IdempotencyKey key) {
        return append(topic, partition, batch);
    }

    /**
     * Appends the batches of one produce request, {@code batches[p]} to partition {@code p} (null:
     * nothing for that partition), with an {@code Idempotency-Key} or null, and answers each
     * partition's result at the same index (null where there was no batch). A single node appends
     * them one after the other and stops at the first failure. A cluster sends them all at once
     * (one commit round trip per request rather than one per partition) and throws the first
     * failure in partition order once every batch has ended, so the other partitions' batches may
     * have been written: a request over several partitions is not atomic either way.
     */
    default AppendResult[] appendAll(TopicRegistry.Topic topic, PreparedBatch[] batches, IdempotencyKey key) {
        AppendResult[] results = new AppendResult[batches.length];
        for (int p = 0; p < batches.length; p++) {
            if (batches[p] != null) {
                results[p] = key == null ? append(topic, p, batches[p]) : append(topic, p, batches[p], key);
            }
        }
        return results;
    }

    /**
     * {@link #append} that does not wait for the answer: by the time it returns the batch has its
     * place in the partition's order (batches handed over one after the other are appended in
     * that order, also while earlier ones are still on their way), and the future completes with
     * the offsets or exceptionally with what {@link #append} would throw. A single node appends at
     * once and answers a completed future.
     */
    default CompletableFuture<AppendResult> appendAsync(TopicRegistry.Topic topic, int partition,
                                                        PreparedBatch batch) {
        try {
            return CompletableFuture.completedFuture(append(topic, partition, batch));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Appends a prepared batch only while this node leads the partition (group coordinators write
     * their offsets this way); on a single node the same as {@link #append}.
     *
     * @throws io.tributary.ingest.problem.ProblemException 503 coordinator-not-available when this
     *         node does not lead it, 503 not-enough-replicas when it was not committed in time
     */
    AppendResult appendAsLeader(TopicRegistry.Topic topic, int partition, PreparedBatch batch);

    /**
     * Reads a partition this node hosts no replica of from a node that does, like
     * {@link io.tributary.ingest.log.PartitionLog#read}; an {@code offset} of -1 reads the bounds only.
     *
     * @throws io.tributary.ingest.log.OffsetOutOfRangeException outside the replica's range
     * @throws io.tributary.ingest.problem.ProblemException 503 not-enough-replicas when no replica answers
     * @throws IllegalStateException on a single node, which hosts every partition
     */
    FetchResult readFromReplica(String topic, int partition, long offset, int maxBytes);

    /**
     * Creates a topic (everywhere, on a cluster) and answers once this node has it.
     *
     * @throws io.tributary.ingest.topic.TopicExistsException the name is taken
     * @throws io.tributary.ingest.topic.InvalidTopicException bad name, partition count or replication factor
     */
    TopicRegistry.Topic createTopic(String name, int partitions, int replicationFactor, Map<String, String> configs);

    /** Merges config overrides into a topic (a null value resets a key); answers the changed topic. */
    TopicRegistry.Topic updateConfigs(String name, Map<String, String> changes);

    /** Deletes a topic and its records; returns once it is gone on this node. */
    void deleteTopic(String name);

    /**
     * Makes this node a replica of a service-owned topic that every node creates locally at start
     * (nothing to do on a single node).
     */
    void hostInternalTopic(TopicRegistry.Topic topic);

    /** Hands out an idempotent producer identity (optionally for a stable name), never the same id twice. */
    ProducerIds.Identity initProducer(String name);

    /** Changes the stored ACLs; answers the bindings the change added or removed. */
    List<AclBinding> changeAcls(AclCommand command);

    /**
     * Starts moving partition replicas between nodes ({@code POST /api/v1/cluster/reassignments});
     * answers the moves started. Each runs in the background until the partition's Raft group is
     * the new node list.
     *
     * @throws io.tributary.ingest.problem.ProblemException 400 on a single node (nothing to move) or
     *         for a bad node list, 409 reassignment-in-progress when a partition is moving already
     * @throws io.tributary.ingest.topic.UnknownTopicException no such topic or partition
     */
    List<Reassignments.Running> reassign(List<Reassignments.Move> moves);

    /**
     * The partition count of {@code __consumer_offsets} on the peers that answer within the probe timeout (the
     * first one's), empty on a single node or when none has the topic: a node that creates the topic takes it.
     */
    java.util.OptionalInt peersOffsetsTopicPartitions();

    /** The partitions whose replicas are being moved (none on a single node). */
    List<Reassignments.Running> reassignments();

    /**
     * Proposes moves that spread the partitions of {@code topics} (every user topic when empty) evenly over
     * {@code nodes} (every member when empty), moving as few replicas as it can; starts nothing
     * ({@code GET /api/v1/cluster/reassignments/plan}).
     *
     * @throws io.tributary.ingest.problem.ProblemException 400 on a single node, for a node that is not a member
     *         or named twice, or a partition with more replicas than nodes named
     * @throws io.tributary.ingest.topic.UnknownTopicException a named topic does not exist
     */
    Reassignments.Plan planReassignment(List<Integer> nodes, List<String> topics);

    /**
     * Cancels a running move ({@code DELETE /api/v1/cluster/reassignments/{topic}/{partition}}): the
     * partition goes back to the replicas it had before; answers that move back.
     *
     * @throws io.tributary.ingest.problem.ProblemException 409 no-reassignment-in-progress when the
     *         partition is not moving (always on a single node)
     * @throws io.tributary.ingest.topic.UnknownTopicException no such topic or partition
     */
    Reassignments.Running cancelReassignment(String topic, int partition);

    /**
     * Hands the leadership of each partition (of a topic, or every topic when null) to its
     * preferred leader, the first of its replicas; nothing to do on a single node.
     */
    List<Reassignments.LeaderChange> electPreferredLeaders(String topic);

    /**
     * {@link #electPreferredLeaders} for one partition.
     *
     * @throws io.tributary.ingest.topic.UnknownTopicException no such topic or partition
     */
    Reassignments.LeaderChange electPreferredLeader(String topic, int partition);

    /**
     * Adds a running node to the cluster ({@code POST /api/v1/cluster/nodes}); returns once it is a
     * member. It holds no partition until some are moved to it or new topics are created.
     *
     * @throws io.tributary.ingest.problem.ProblemException 400 on a single node or for a bad address,
     *         409 node-exists, 503 node-unreachable
     */
    NodeAddress addNode(NodeAddress node);

    /**
     * Moves every replica of {@code oldNode} to {@code newNode} (both members); answers the moves started.
     *
     * @throws io.tributary.ingest.problem.ProblemException 400 on a single node or for a non-member new node,
     *         404 for a non-member old node
     */
    List<Reassignments.Running> replaceNode(int oldNode, int newNode);

    /**
     * Takes a node that holds no replica out of the cluster.
     *
     * @throws io.tributary.ingest.problem.ProblemException 400 on a single node or for the answering node,
     *         404 for a non-member, 409 node-not-empty while it holds replicas
     */
    void removeNode(int node);
}
