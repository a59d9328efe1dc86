package io.tributary.ingest.topic;

import java.util.Map;

/**
 * What the service remembers about a topic besides its logs.
 *
 * @param configs the overrides given at creation or by later changes (not the defaults)
 */
public record TopicMetadata(String name, int partitions, int replicationFactor, Map<String, String> configs,
                            long createdAtMs) {

    public TopicMetadata {
        configs = Map.copyOf(configs);
    }

    public boolean internal() {
        return TopicNames.isInternal(name);
    }

    TopicMetadata withConfigs(Map<String, String> newConfigs) {
        return new TopicMetadata(name, partitions, replicationFactor, newConfigs, createdAtMs);
    }
}
