package io.tributary.ingest.replication;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import io.tributary.ingest.acl.AclStore;
import io.tributary.ingest.config.IngestProperties;
import io.tributary.ingest.produce.ProducerIds;
import io.tributary.ingest.security.NodeCredentials;
import io.tributary.ingest.topic.PartitionAssignment;
import io.tributary.ingest.topic.TopicPartition;
import io.tributary.ingest.topic.TopicRegistry;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.statemachine.StateMachine;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Conditional;
import org.springframework.stereotype.Component;

/**
 * The Raft groups of a cluster and where they live: the metadata group over every node, one
 * group per partition over its replicas, the group ids every node derives without coordination,
 * and the state machine of each group (the server's {@link StateMachine.Registry}). It decides
 * which partition groups this node joins (a topic became ready) and leaves (a topic is being
 * deleted); {@code RaftNode} carries that out on the server.
 */
@Component
@Conditional(ReplicationEnabledCondition.class)
public class PartitionGroups {

    private static final Logger log = LoggerFactory.getLogger(PartitionGroups.class);
    static final RaftGroupId METADATA_GROUP =
            RaftGroupId.valueOf(UUID.nameUUIDFromBytes("tributary/metadata".getBytes(StandardCharsets.UTF_8)));

    private final TopicRegistry topics;
    private final ProducerIds producerIds;
    private final AclStore acls;
    private final NodeCredentials credentials;
    private final FailedReplicas failed;
    private final ReplicaCopyThrottle copyThrottle;
    /** The founding peers: the computed placement of partitions never moved. */
    private final ClusterPeers founders;
    private final ClusterMembers members;
    private final ClusterPeers.Peer self;
    private final Map<RaftGroupId, TopicPartition> partitionsByGroup = new ConcurrentHashMap<>();
    /** Groups on disk of partitions no longer placed here (see {@link #stateMachineFor}). */
    private final List<RaftGroupId> strays = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Set by {@code RaftNode} before its server starts applying (see {@link #attach}). */
    private volatile Membership membership;
    private volatile MetadataStateMachine metadataStateMachine;

    public PartitionGroups(TopicRegistry topics, ProducerIds producerIds, AclStore acls, ClusterMembers members,
                           NodeCredentials credentials, FailedReplicas failed, ReplicaCopyThrottle copyThrottle) {
        this.topics = topics;
        this.copyThrottle = copyThrottle;
        this.producerIds = producerIds;
        this.acls = acls;
        this.credentials = credentials;
        this.failed = failed;
        this.members = members;
        this.founders = members.founders();
        this.self = members.self();
        // Groups already on disk are opened by the server before any metadata is replayed, so
        // their state machines must be known from the registry alone.
        for (TopicRegistry.Topic t : topics.list()) {
            registerPartitions(t);
        }
    }

    /** How this node joins and leaves groups on its Raft server, and drops the clients of a group. */
    interface Membership {
        /** Joins a group, in the background, after the changes asked before. */
        void join(RaftGroup group);

        /** Leaves groups of a topic, deleting their Raft storage, after the changes asked before; blocks. */
        void leave(List<RaftGroupId> gids, String topic);

        /** Closes this node's client of a group, if it has one. */
        void dropClient(RaftGroupId gid);
    }

    /**
     * The server this registry serves. It is built with {@link #stateMachineFor}, so its
     * membership is handed in after it is built and before it starts: from then on applying
     * metadata can make this node join and leave partition groups.
     */
    void attach(Membership membership) {
        this.membership = membership;
    }

    /** The members of the cluster now (founders plus nodes added, minus nodes removed). */
    public ClusterPeers peers() {
        return members.current();
    }

    /** Where member changes are kept. */
    ClusterMembers members() {
        return members;
    }

    /** This node's address as its own settings give it (its peer-list entry, or its self-address). */
    public ClusterPeers.Peer self() {
        return self;
    }

    public int nodeId() {
        return self.id();
    }

    public int clusterSize() {
        return members.current().size();
    }

    /** The nodes that hold a replica of a partition ({@link ClusterPeers#placement}). */
    public List<Integer> replicas(TopicRegistry.Topic topic, int partition) {
        return founders.placement(topic.metadata(), partition);
    }

    /**
     * A partition's Raft group id, derived from the topic's name, the partition and the topic's
     * incarnation (so a re-created name gets new groups), so every node computes it without
     * coordination. Incarnation 0 (topics from before incarnations) keeps the original form.
     */
    static RaftGroupId groupId(String topic, long incarnation, int partition) {
        String name = "tributary/partition/" + topic + "/" + partition + (incarnation == 0 ? "" : "/" + incarnation);
        return RaftGroupId.valueOf(UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)));
    }

    static RaftGroupId groupId(TopicRegistry.Topic topic, int partition) {
        return groupId(topic.name(), topic.metadata().incarnation(), partition);
    }

    static RaftPeerId peerId(int nodeId) {
        return RaftPeerId.valueOf(Integer.toString(nodeId));
    }

    /** The metadata group: every member of the cluster. */
    RaftGroup metadataGroup() {
        return RaftGroup.valueOf(METADATA_GROUP, raftPeers(peers().peers().stream().map(ClusterPeers.Peer::id).toList()));
    }

    /**
     * The group as a node that is being added to it first knows it: the other replicas, without
     * itself. Ratis starts a member that is not in its own configuration without an election timer
     * and waits for the leader, whose configuration change then brings it in. With itself in the
     * list it would start elections the others refuse ("not in my configuration"), and Ratis shuts
     * a candidate so refused down (seen in a CI rehearsal of ReassignmentClusterTest: the new
     * member closed before the leader reached it, and the move never ended).
     */
    RaftGroup joiningGroup(TopicRegistry.Topic topic, int partition) {
        return RaftGroup.valueOf(groupId(topic, partition), raftPeers(replicas(topic, partition).stream()
                .filter(n -> n != self.id()).toList()));
    }

    RaftGroup partitionGroup(TopicRegistry.Topic topic, int partition) {
        return RaftGroup.valueOf(groupId(topic, partition), raftPeers(replicas(topic, partition)));
    }

    List<RaftPeer> raftPeers(List<Integer> ids) {
        List<RaftPeer> out = new ArrayList<>(ids.size());
        for (int id : ids) {
            ClusterPeers.Peer p = address(id);
            out.add(RaftPeer.newBuilder().setId(peerId(id)).setAddress(p.raftAddress()).build());
        }
        return out;
    }

    /**
     * A node's address: a member's, or a founder's that was removed since (its replicas may still
     * be in groups being changed).
     */
    ClusterPeers.Peer address(int id) {
        return members.current().find(id).or(() -> founders.find(id)).orElseThrow(() ->
                new IllegalArgumentException("node " + id + " is not a member of the cluster"));
    }

    /**
     * Waits (at most {@code timeoutMs}) until this node has applied the metadata entry at
     * {@code index}: a committed entry is applied by each node at its own pace, and what a caller
     * does next on this node (answer, look up a member) must see it.
     */
    void awaitMetadataApplied(long index, long timeoutMs) {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        MetadataStateMachine sm = metadataStateMachine;
        while (sm != null && System.nanoTime() < deadline) {
            TermIndex ti = sm.getLastAppliedTermIndex();
            if (ti != null && ti.getIndex() >= index) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    /** This node's metadata state machine, null until the server opened the metadata group. */
    MetadataStateMachine metadataStateMachine() {
        return metadataStateMachine;
    }

    /**
     * Joins the Raft groups of a service-owned topic that every node creates locally at start
     * (it does not go through the metadata group, which may not have a majority yet). Idempotent:
     * groups already opened from disk stay as they are.
     */
    public void hostInternalTopic(TopicRegistry.Topic topic) {
        if (!topic.metadata().internal()) {
            throw new IllegalArgumentException(topic.name() + " is not a service-owned topic");
        }
        for (int p = 0; p < topic.partitions().size(); p++) {
            boolean raftState = Files.isDirectory(topics.dataDir().resolve("raft")
                    .resolve(groupId(topic, p).getUuid().toString()));
            if (!raftState && topic.hosts(p) && topic.partitions().get(p).logEndOffset() > 0) {
                // Its Raft group would apply every entry after data no other replica has: the
                // replicas would diverge. Written when this node ran alone (or before groups
                // were replicated); see docs/replication.md.
                throw new IllegalStateException(topic.name() + "-" + p + " holds records written before this node "
                        + "replicated it; stop the node and remove the topic's partition folders and its entry in "
                        + "topics.json (their committed offsets were this node's alone)");
            }
        }
        topicReady(topic);
    }

    private void registerPartitions(TopicRegistry.Topic topic) {
        for (int p = 0; p < topic.partitions().size(); p++) {
            partitionsByGroup.put(groupId(topic, p), new TopicPartition(topic.name(), p));
            // No retention or compaction before the partition's state machine knows its snapshot point.
            if (topic.hosts(p)) {
                topics.partition(topic.name(), p).limitCleanup(0);
            }
        }
    }

    /** Groups the server opened from disk for partitions no longer placed here: to be removed. */
    List<RaftGroupId> strays() {
        return List.copyOf(strays);
    }

    /** The partition a group id belongs to, or null (unknown or deleted). */
    TopicPartition partitionOf(RaftGroupId gid) {
        return partitionsByGroup.get(gid);
    }

    /** Whether this node should be a member of a group now: the metadata group, or a partition placed here. */
    boolean placedHere(RaftGroupId gid) {
        if (gid.equals(METADATA_GROUP)) {
            return true;
        }
        TopicPartition tp = partitionsByGroup.get(gid);
        return tp != null && topics.exists(tp.topic()) && topics.get(tp.topic()).hosts(tp.partition());
    }

    /** What a group is, for logs: the metadata group or its partition. */
    Object describe(RaftGroupId gid) {
        return gid.equals(METADATA_GROUP) ? "the cluster metadata" : partitionOf(gid);
    }

    /** The server's state machine registry: the state machine of a group it opens. */
    StateMachine stateMachineFor(RaftGroupId gid) {
        if (gid.equals(METADATA_GROUP)) {
            MetadataStateMachine sm = new MetadataStateMachine(topics, producerIds, acls, new MetadataStateMachine.Hooks() {
                @Override
                public void topicReady(TopicRegistry.Topic topic) {
                    PartitionGroups.this.topicReady(topic);
                }

                @Override
                public void topicDeleting(TopicRegistry.Topic topic) {
                    PartitionGroups.this.topicDeleting(topic);
                }

                @Override
                public void reassign(TopicRegistry.Topic topic, int partition, PartitionAssignment assignment) {
                    PartitionGroups.this.reassign(topic, partition, assignment);
                }

                @Override
                public void nodeAdded(ClusterPeers.Peer node) {
                    members.add(node);
                    log.info("node {} is a member now ({})", node.id(), node);
                    if (node.id() == self.id() && !Objects.equals(node.kafkaPort(), self.kafkaPort())) {
                        // Only a log: the entry is committed, and the members' list is what every node names.
                        log.warn("this node was added with Kafka port {}, but its ingest.cluster.self-address "
                                + "gives {}: the nodes name it to Kafka clients with the port it was added with (null: "
                                + "not at all); remove it and add it again with its kafkaPort", node.kafkaPort(),
                                self.kafkaPort());
                    }
                }

                @Override
                public void nodeRemoved(int nodeId) {
                    members.remove(nodeId);
                    log.info("node {} is no longer a member", nodeId);
                }

                @Override
                public void storageRegistered(int nodeId, String storageId) {
                    String before = members.storageOf(nodeId);
                    if (!storageId.equals(before)) {
                        members.registerStorage(nodeId, storageId);
                        log.info("node {} registered its storage {}{}", nodeId, storageId,
                                before == null ? "" : " (was " + before + ")");
                    }
                }

                @Override
                public MetadataCodec.StorageAnswer storageOf(int nodeId) {
                    return new MetadataCodec.StorageAnswer(members.isMember(nodeId), members.storageOf(nodeId));
                }
            }, topics.dataDir().resolve("raft-metadata-applied"));
            metadataStateMachine = sm;
            return sm;
        }
        TopicPartition tp = partitionsByGroup.get(gid);
        if (tp == null) {
            // Left behind by a delete interrupted while removing the group's files: the topic is
            // gone everywhere, nothing is sent to this group; it only keeps its (dead) log.
            log.warn("Raft group {} on disk belongs to no known partition (a deleted topic?); opened without data",
                    gid);
            return new BaseStateMachine();
        }
        if (!topics.exists(tp.topic()) || !topics.get(tp.topic()).hosts(tp.partition())) {
            // Moved off this node (a reassignment) by a command applied before a stop that came
            // before the group's files were removed: removed once the server runs.
            log.info("Raft group {} on disk is of {}, which is no longer placed here; it will be removed", gid, tp);
            strays.add(gid);
            return new BaseStateMachine();
        }
        return new PartitionStateMachine(tp, topics.partition(tp.topic(), tp.partition()),
                node -> address(node).httpBase(), credentials::authorization,
                e -> failed.markFailed(tp, e), copyThrottle);
    }

    /** Called by the metadata state machine once a topic exists locally: join its partition groups. */
    private void topicReady(TopicRegistry.Topic topic) {
        registerPartitions(topic);
        for (int p = 0; p < topic.partitions().size(); p++) {
            if (!replicas(topic, p).contains(self.id())) {
                continue;
            }
            PartitionAssignment a = topic.metadata().assignment(p);
            membership().join(a != null && a.moving() ? joiningGroup(topic, p) : partitionGroup(topic, p));
        }
    }

    /**
     * Called by the metadata state machine before a topic is deleted locally: leave the Raft
     * groups of its partitions hosted here (deleting their Raft storage), after any pending join.
     * Blocks the metadata apply until done, so the partition logs are closed only once no
     * partition group can apply to them any more.
     */
    private void topicDeleting(TopicRegistry.Topic topic) {
        Membership m = membership();
        List<RaftGroupId> hosted = new ArrayList<>();
        for (int p = 0; p < topic.partitions().size(); p++) {
            RaftGroupId gid = groupId(topic, p);
            m.dropClient(gid);
            if (replicas(topic, p).contains(self.id())) {
                hosted.add(gid);
            }
        }
        m.leave(hosted, topic.name());
        for (RaftGroupId gid : hosted) {
            partitionsByGroup.remove(gid);
        }
    }

    /**
     * Called by the metadata state machine for a reassignment step: stores the assignment and
     * makes this node's replica follow it. A replica that leaves this node leaves its Raft group
     * first (blocking the apply, as a delete does), so its log closes only once nothing applies to
     * it; a replica that arrives gets an empty log and joins the group, with the old and new nodes
     * as its first configuration, in the background (the leader's configuration change brings it up
     * to date).
     */
    private void reassign(TopicRegistry.Topic topic, int partition, PartitionAssignment assignment) {
        for (int node : assignment.replicas()) {
            if (members.current().find(node).isEmpty()) {
                throw new IllegalArgumentException("node " + node + " is not a member of the cluster");
            }
        }
        RaftGroupId gid = groupId(topic, partition);
        boolean wasHere = replicas(topic, partition).contains(self.id());
        boolean staysHere = assignment.replicas().contains(self.id());
        Membership m = membership();
        m.dropClient(gid); // made again with the new replicas on the next request
        if (wasHere && !staysHere) {
            m.leave(List.of(gid), topic.name());
        }
        List<PartitionAssignment> all = new ArrayList<>(topic.partitions().size());
        for (int p = 0; p < topic.partitions().size(); p++) {
            PartitionAssignment stored = topic.metadata().assignment(p);
            all.add(p == partition ? assignment : stored != null ? stored : PartitionAssignment.of(replicas(topic, p)));
        }
        TopicRegistry.Topic updated = topics.setAssignments(topic.name(), all);
        if (!wasHere && staysHere) {
            topics.partition(topic.name(), partition).limitCleanup(0);
            m.join(joiningGroup(updated, partition));
        }
        log.info("{}-{}: replicas {} target {}", topic.name(), partition, assignment.replicas(), assignment.target());
    }

    private Membership membership() {
        Membership m = membership;
        if (m == null) {
            throw new IllegalStateException("the Raft server of this node is not built yet");
        }
        return m;
    }
}
