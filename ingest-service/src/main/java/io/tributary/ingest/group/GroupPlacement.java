package io.tributary.ingest.group;

import java.util.Map;

import io.tributary.ingest.config.IngestProperties;
import io.tributary.ingest.replication.ReplicationService;
import io.tributary.ingest.topic.TopicRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Where a consumer group lives: the partition of {@value #OFFSETS_TOPIC} that holds its
 * committed offsets (the group id's hash), and the node that coordinates it.
 *
 * <p>On a single node that node coordinates every group, always under epoch 0. On a cluster the
 * coordinator of a group is the Raft leader of its offsets partition, as in Kafka, where the
 * leader of a group's {@code __consumer_offsets} partition is its coordinator: Ratis decides
 * it, and the coordinator's epoch is that leader's Raft term. Membership made under one epoch
 * is void under any other (members rejoin); offsets survive in the replicated topic.
 *
 * <p>The offsets topic is created by every node locally at start (not through the metadata
 * group, which may have no majority yet while the node starts): same name, partition count
 * ({@code ingest.groups.offsets-topic-partitions}, which must be equal on every node) and
 * configs everywhere, a replica on every node, and Raft group ids derived from the name, so
 * every node opens the same groups without coordination.
 */
@Component
class GroupPlacement {

    static final String OFFSETS_TOPIC = "__consumer_offsets";

    private final TopicRegistry topics;
    /** Null on a single node. */
    private final ReplicationService replication;

    @Autowired
    GroupPlacement(TopicRegistry topics, IngestProperties props, ObjectProvider<ReplicationService> replication) {
        this(topics, props, replication.getIfAvailable());
    }

    GroupPlacement(TopicRegistry topics, IngestProperties props, ReplicationService replication) {
        this.topics = topics;
        this.replication = replication;
        int replicas = replication == null ? 1 : replication.clusterSize();
        // flush.messages=1: a commit is fsynced (on every replica that applies it) before its 204.
        TopicRegistry.Topic offsets = topics.ensureInternal(OFFSETS_TOPIC, props.groups().offsetsTopicPartitions(),
                replicas, Map.of("cleanup.policy", "compact", "flush.messages", "1"));
        if (replication != null) {
            replication.hostInternalTopic(offsets);
        }
    }

    boolean clustered() {
        return replication != null;
    }

    /** Null on a single node. */
    ReplicationService replication() {
        return replication;
    }

    TopicRegistry.Topic offsetsTopic() {
        return topics.get(OFFSETS_TOPIC);
    }

    /** The offsets partition of a group; fixed, since the topic's partition count never changes. */
    int partitionFor(String group) {
        return Math.floorMod(group.hashCode(), offsetsTopic().partitions().size());
    }

    /**
     * This node's epoch as the group's coordinator: 0 on a single node; on a cluster the Raft
     * term of the group's offsets partition while this node leads it and has applied every
     * commit before that term; -1 when this node does not coordinate the group now.
     */
    long localEpoch(String group) {
        return replication == null ? 0 : replication.leaderTerm(offsetsTopic(), partitionFor(group));
    }

    /** The coordinator's node id as this node knows it; -1 when unknown (an election is going on). */
    int coordinator(String group) {
        return replication == null ? 1 : replication.leaderOf(offsetsTopic(), partitionFor(group));
    }
}
