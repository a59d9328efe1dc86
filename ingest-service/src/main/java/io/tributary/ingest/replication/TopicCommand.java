package io.tributary.ingest.replication;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An entry of the metadata Raft group: {@code create}, {@code configs} (merge config overrides;
 * a null value resets a key), {@code delete}, or {@code init-producer} (hand out an idempotent
 * producer identity; {@code name} is the producer's name, null for an anonymous one).
 *
 * <p>Encoded as JSON in the Raft log, e.g. {@code {"op":"create","name":"raw.orders","partitions":3,
 * "replicationFactor":3,"configs":{},"topicId":"Xh2xEn1iQ3i2cB4Rh5xw2A"}}. {@code topicId} is set on
 * {@code create} only: the node that submits the command draws it, so every node applying the
 * entry gives the topic the same id. Create entries written before topic ids existed have none;
 * the state machine then derives it from the name and the entry's index (see
 * {@link io.tributary.ingest.topic.TopicIds#derived}), as the nodes that applied them did.
 */
record TopicCommand(String op, String name, int partitions, int replicationFactor, Map<String, String> configs,
                    String topicId) {

    static final String CREATE = "create";
    static final String CONFIGS = "configs";
    static final String DELETE = "delete";
    /** Changes nothing; a starting node sends one (see ReplicationService). */
    static final String NOOP = "noop";
    static final String INIT_PRODUCER = "init-producer";

    static TopicCommand create(String name, int partitions, int replicationFactor, Map<String, String> configs) {
        return new TopicCommand(CREATE, name, partitions, replicationFactor, Map.copyOf(configs),
                io.tributary.ingest.topic.TopicIds.random());
    }

    static TopicCommand configs(String name, Map<String, String> changes) {
        // Null values (reset to default) are meaningful here, so no Map.copyOf.
        return new TopicCommand(CONFIGS, name, 0, 0, Collections.unmodifiableMap(new LinkedHashMap<>(changes)),
                null);
    }

    static TopicCommand noop(int node) {
        return new TopicCommand(NOOP, "node-" + node, 0, 0, Map.of(), null);
    }

    static TopicCommand initProducer(String producerName) {
        return new TopicCommand(INIT_PRODUCER, producerName, 0, 0, Map.of(), null);
    }

    static TopicCommand delete(String name) {
        return new TopicCommand(DELETE, name, 0, 0, Map.of(), null);
    }
}
