package io.tributary.client;

import java.util.List;
import java.util.Map;

/**
 * A topic as the ingest service describes it; {@code partitionDetails} may be empty in listings.
 *
 * @param topicId the topic's stable unique id: a deleted topic and a later one of the same name
 *                have different ids (null from an ingest service older than topic ids)
 */
public record TopicDescription(String name, String topicId, int partitions, int replicationFactor, Map<String, String> configs,
                               List<PartitionDetails> partitionDetails) {

    public TopicDescription {
        configs = Map.copyOf(configs);
        partitionDetails = List.copyOf(partitionDetails);
    }
}
