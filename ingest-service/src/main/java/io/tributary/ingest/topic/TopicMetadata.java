package io.tributary.ingest.topic;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What the service remembers about a topic besides its logs.
 *
 * @param configs     the overrides given at creation or by later changes (not the defaults)
 * @param incarnation on a cluster, the metadata Raft log index of the command that created the
 *                    topic, which tells a topic from an earlier, deleted one of the same name (its
 *                    partitions' Raft group ids include it); 0 on a single node, and for topics
 *                    created before incarnations existed
 * @param topicId     the topic's stable unique id ({@link TopicIds}): random at creation, carried
 *                    in the create command on a cluster so every node has the same; a deleted
 *                    topic and its re-created namesake never share one. Null only while reading a
 *                    {@code topics.json} from before topic ids existed; the registry then assigns
 *                    one once and saves it
 * @param assignments on a cluster, one entry per partition once an operator moved any of its
 *                    replicas ({@code POST /api/v1/cluster/reassignments}); null (left out of
 *                    {@code topics.json}) while every partition keeps the placement computed from
 *                    the peer list
 */
public record TopicMetadata(String name, int partitions, int replicationFactor, Map<String, String> configs,
                            long createdAtMs, long incarnation, String topicId,
                            @JsonInclude(JsonInclude.Include.NON_NULL) List<PartitionAssignment> assignments) {

    public TopicMetadata {
        configs = Map.copyOf(configs);
        assignments = assignments == null ? null : List.copyOf(assignments);
        if (assignments != null && assignments.size() != partitions) {
            throw new IllegalArgumentException(name + ": " + assignments.size() + " assignments for " + partitions
                    + " partitions");
        }
    }

    public TopicMetadata(String name, int partitions, int replicationFactor, Map<String, String> configs,
                         long createdAtMs, long incarnation, String topicId) {
        this(name, partitions, replicationFactor, configs, createdAtMs, incarnation, topicId, null);
    }

    /** The stored assignment of a partition, or null while it keeps the computed placement. */
    public PartitionAssignment assignment(int partition) {
        return assignments == null ? null : assignments.get(partition);
    }

    public boolean internal() {
        return TopicNames.isInternal(name);
    }

    TopicMetadata withConfigs(Map<String, String> newConfigs) {
        return new TopicMetadata(name, partitions, replicationFactor, newConfigs, createdAtMs, incarnation, topicId,
                assignments);
    }

    TopicMetadata withTopicId(String id) {
        return new TopicMetadata(name, partitions, replicationFactor, configs, createdAtMs, incarnation, id,
                assignments);
    }

    TopicMetadata withAssignments(List<PartitionAssignment> newAssignments) {
        return new TopicMetadata(name, partitions, replicationFactor, configs, createdAtMs, incarnation, topicId,
                newAssignments);
    }
}
