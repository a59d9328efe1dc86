package io.tributary.ingest.replication;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.tributary.ingest.acl.AclCommand;
import io.tributary.ingest.topic.TopicIds;

/**
 * An entry of the metadata Raft group, applied by {@link MetadataStateMachine} on every node in
 * log order. One record per kind, each with only the fields that kind uses; how they are written
 * in the Raft log is {@link MetadataCodec}'s business.
 */
sealed interface MetadataCommand {

    /**
     * Creates a topic. {@code topicId} is drawn by the node that submits the command, so every node
     * applying the entry gives the topic the same id; it is null in entries written before topic
     * ids existed, and the state machine then derives it from the name and the entry's index (see
     * {@link TopicIds#derived}), as the nodes that applied them did.
     */
    record CreateTopic(String name, int partitions, int replicationFactor, Map<String, String> configs,
                       String topicId, List<List<Integer>> assignment) implements MetadataCommand {

        /** A create as written before explicit assignments: placement computed from the founding peers. */
        CreateTopic(String name, int partitions, int replicationFactor, Map<String, String> configs, String topicId) {
            this(name, partitions, replicationFactor, configs, topicId, null);
        }

        /**
         * A create with a freshly drawn topic id and the nodes of each partition ({@code assignment},
         * decided by the node that submits it from the members it knows, so every node stores the same).
         */
        static CreateTopic withNewId(String name, int partitions, int replicationFactor, Map<String, String> configs,
                                     List<List<Integer>> assignment) {
            return new CreateTopic(name, partitions, replicationFactor, Map.copyOf(configs), TopicIds.random(),
                    assignment == null ? null : assignment.stream().map(List::copyOf).toList());
        }
    }

    /** Merges config overrides into a topic's; a null value resets that key to its default. */
    record UpdateConfigs(String name, Map<String, String> changes) implements MetadataCommand {

        static UpdateConfigs of(String name, Map<String, String> changes) {
            // Null values are meaningful here, so no Map.copyOf; insertion order is kept for the log.
            return new UpdateConfigs(name, Collections.unmodifiableMap(new LinkedHashMap<>(changes)));
        }
    }

    /** Deletes a topic (refused for a service-owned one). */
    record DeleteTopic(String name) implements MetadataCommand {
    }

    /** Hands out an idempotent producer identity; {@code producerName} is null for an anonymous producer. */
    record InitProducer(String producerName) implements MetadataCommand {
    }

    /**
     * Hands the proposing node a block of {@link io.tributary.ingest.produce.ProducerIds#BLOCK_SIZE} producer ids for
     * anonymous producers (Kafka's AllocateProducerIds), so that they cost one metadata entry per block instead of one
     * each. The block follows from the entry's log index alone ({@link io.tributary.ingest.produce.ProducerIds#blockStart}):
     * applying it changes no state, so every node, of any version, agrees.
     */
    record AllocateProducerIds() implements MetadataCommand {
    }

    /** Changes the stored ACLs. */
    record ChangeAcls(AclCommand change) implements MetadataCommand {
    }

    /**
     * Moves a partition's replicas, in two steps proposed by {@code PartitionMoves}: first
     * {@code replicas} = old and new nodes together with {@code target} = the new ones (the new
     * nodes open an empty log and join the partition's Raft group, whose leader then changes the
     * group's configuration to {@code target}), then {@code replicas} = {@code target} with no
     * target (the nodes left out leave the group and delete their log). {@code topicId} keeps a
     * command from landing on a re-created namesake.
     *
     * <p>{@code original}: while moving, the replicas the partition had before the move (a cancel
     * moves it back there), null otherwise and in entries of earlier versions. {@code expectTarget}
     * makes the command conditional, checked when applied: it applies only while the stored move
     * goes to {@code expectTarget}, an empty list meaning "no move runs" (null: unconditional, as
     * entries of earlier versions). So of a cancel and the step that ends the same move, only the
     * first one in the log applies.
     */
    record Reassign(String name, String topicId, int partition, List<Integer> replicas, List<Integer> target,
                    List<Integer> original, List<Integer> expectTarget) implements MetadataCommand {

        public Reassign {
            replicas = List.copyOf(replicas);
            target = target == null ? null : List.copyOf(target);
            original = original == null ? null : List.copyOf(original);
            expectTarget = expectTarget == null ? null : List.copyOf(expectTarget);
        }
    }

    /** Makes a node a member of the cluster (its address; it joins the metadata group next). */
    record AddNode(ClusterPeers.Peer node) implements MetadataCommand {
    }

    /** Takes a node out of the cluster's members (after it left the metadata group). */
    record RemoveNode(int nodeId) implements MetadataCommand {
    }

    /**
     * Records the storage id of a node's data folder ({@link NodeStorage}), so that the node coming
     * back with an empty folder is recognised ({@link StorageGuard}). Sent by every node at each
     * start once it may join the cluster; like a {@link Noop}, it also makes an idle leader send its
     * log to a follower that came back behind.
     */
    record RegisterStorage(int nodeId, String storageId) implements MetadataCommand {
    }

    /**
     * Changes nothing (no longer sent: see {@link RegisterStorage}); a starting node sends one (see MetadataAdmin) so that an idle leader
     * sends its log to a follower that came back empty. {@code sender} is {@code node-<id>}, for
     * the reader of the log only.
     */
    record Noop(String sender) implements MetadataCommand {
    }
}
