package io.tributary.client;

import java.util.Map;
import java.util.Objects;

/** A topic to create. */
public record NewTopic(String name, int partitions, int replicationFactor, Map<String, String> configs) {

    public NewTopic {
        Objects.requireNonNull(name, "name");
        configs = Map.copyOf(configs);
    }

    public NewTopic(String name, int partitions, int replicationFactor) {
        this(name, partitions, replicationFactor, Map.of());
    }
}
