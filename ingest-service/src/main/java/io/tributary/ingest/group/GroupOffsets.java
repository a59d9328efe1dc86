package io.tributary.ingest.group;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.tributary.ingest.topic.TopicPartition;
import org.springframework.stereotype.Component;

/**
 * The committed offsets of consumer groups, and which protocol a group is used through, for the
 * Kafka listener's group coordinator: one offsets store ({@link OffsetStore}, the compacted
 * {@code __consumer_offsets} topic) for REST groups and Kafka groups alike, so a group's offsets
 * are the same whichever protocol committed them.
 *
 * <p>A group is used through one protocol at a time: while it has members that joined over the
 * REST API, a Kafka JoinGroup gets {@code INCONSISTENT_GROUP_PROTOCOL}; while it has Kafka members,
 * a REST join gets 409 {@code group-in-use}. Offsets alone (no members) belong to neither.
 */
@Component
public class GroupOffsets {

    private final OffsetStore offsets;
    private final GroupCoordinator restGroups;
    /** Groups with members that joined over the Kafka protocol. */
    private final Set<String> kafkaGroups = ConcurrentHashMap.newKeySet();

    GroupOffsets(OffsetStore offsets, GroupCoordinator restGroups) {
        this.offsets = offsets;
        this.restGroups = restGroups;
        restGroups.otherProtocolActive(kafkaGroups::contains);
    }

    /** The group's committed next-offsets-to-consume (empty when none). */
    public Map<TopicPartition, Long> committed(String group) {
        Map<TopicPartition, Long> out = new HashMap<>();
        offsets.committed(group).forEach((tp, c) -> out.put(tp, c.offset()));
        return out;
    }

    /**
     * Commits offsets for the group as one batch; returns once they are durable. The caller has
     * checked the member and generation, and holds the group's lock.
     *
     * @throws io.tributary.ingest.problem.ProblemException on a cluster: COORDINATOR_NOT_AVAILABLE when this
     *         node does not coordinate the group, NOT_ENOUGH_REPLICAS when not committed in time
     */
    public void commit(String group, Map<TopicPartition, Long> committed) {
        offsets.commit(group, committed, System.currentTimeMillis());
    }

    /** Every group with committed offsets. */
    public Set<String> groupsWithOffsets() {
        return offsets.groups();
    }

    /** The node that coordinates the group now (the leader of its offsets partition); -1 while unknown. */
    public int coordinator(String group) {
        return offsets.placement().coordinator(group);
    }

    /** Whether this node coordinates the group now (always on a single node). */
    public boolean coordinatesHere(String group) {
        return offsets.placement().localEpoch(group) >= 0;
    }

    /**
     * Marks the group as used through the Kafka protocol; false (nothing marked) while it has members
     * that joined over REST.
     */
    public boolean claimForKafka(String group) {
        synchronized (kafkaGroups) {
            if (restGroups.hasMembers(group)) {
                return false;
            }
            kafkaGroups.add(group);
            return true;
        }
    }

    /** The group has no Kafka members any more. */
    public void releaseFromKafka(String group) {
        kafkaGroups.remove(group);
    }
}
