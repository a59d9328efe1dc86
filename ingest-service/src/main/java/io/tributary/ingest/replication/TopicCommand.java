package io.tributary.ingest.replication;

import java.util.Map;

/**
 * An entry of the metadata Raft group. Only {@code create} exists in this slice; delete and
 * config changes are refused on a replicated cluster until they go through this group too.
 */
record TopicCommand(String op, String name, int partitions, int replicationFactor, Map<String, String> configs) {

    static final String CREATE = "create";

    static TopicCommand create(String name, int partitions, int replicationFactor, Map<String, String> configs) {
        return new TopicCommand(CREATE, name, partitions, replicationFactor, Map.copyOf(configs));
    }
}
