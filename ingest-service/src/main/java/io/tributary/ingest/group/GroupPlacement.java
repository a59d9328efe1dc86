package io.tributary.ingest.group;

import java.util.Map;

import io.tributary.ingest.cluster.ClusterOps;
import io.tributary.ingest.config.IngestProperties;
import io.tributary.ingest.topic.TopicNames;
import io.tributary.ingest.topic.TopicRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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

    static final String OFFSETS_TOPIC = TopicNames.CONSUMER_OFFSETS;

    private static final Logger log = LoggerFactory.getLogger(GroupPlacement.class);

    private final TopicRegistry topics;
    private final ClusterOps cluster;

    GroupPlacement(TopicRegistry topics, IngestProperties props, ClusterOps cluster) {
        this.topics = topics;
        this.cluster = cluster;
        // flush.messages=1: a commit is fsynced (on every replica that applies it) before its 204.
        TopicRegistry.Topic offsets = topics.ensureInternal(OFFSETS_TOPIC, partitions(props.groups()
                .offsetsTopicPartitions()), cluster.clusterSize(), Map.of("cleanup.policy", "compact", "flush.messages", "1"));
        cluster.hostInternalTopic(offsets);
    }

    /**
     * The partition count for the offsets topic: the one it has when it exists (a count never changes); else, on a
     * cluster, the peers' (a node joining later, or a founder started after another, takes the cluster's even when
     * configured otherwise); else {@code configured}.
     */
    private int partitions(int configured) {
        if (topics.exists(OFFSETS_TOPIC)) {
            int existing = topics.get(OFFSETS_TOPIC).partitions().size();
            if (existing != configured) {
                log.warn("{} has {} partitions; ingest.groups.offsets-topic-partitions={} is ignored (a topic's"
                        + " partition count does not change)", OFFSETS_TOPIC, existing, configured);
            }
            return existing;
        }
        if (!cluster.replicated()) {
            return configured;
        }
        java.util.OptionalInt peers = cluster.peersOffsetsTopicPartitions();
        if (peers.isPresent() && peers.getAsInt() != configured) {
            log.warn("the cluster's {} has {} partitions; this node creates it with that many, not the {} of"
                    + " ingest.groups.offsets-topic-partitions", OFFSETS_TOPIC, peers.getAsInt(), configured);
        }
        return peers.orElse(configured);
    }

    /** True on a Raft cluster: one coordinator per group, epochs are Raft terms. */
    boolean clustered() {
        return cluster.replicated();
    }

    ClusterOps cluster() {
        return cluster;
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
        return cluster.leaderTerm(offsetsTopic(), partitionFor(group));
    }

    /** The coordinator's node id as this node knows it; -1 when unknown (an election is going on). */
    int coordinator(String group) {
        return cluster.leaderOf(offsetsTopic(), partitionFor(group));
    }
}
