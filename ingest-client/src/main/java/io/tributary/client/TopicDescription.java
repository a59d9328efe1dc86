package io.tributary.client;

import java.util.List;
import java.util.Map;

/** A topic as the ingest service describes it; {@code partitionDetails} may be empty in listings. */
public record TopicDescription(String name, int partitions, int replicationFactor, Map<String, String> configs,
                               List<PartitionDetails> partitionDetails) {

    public TopicDescription {
        configs = Map.copyOf(configs);
        partitionDetails = List.copyOf(partitionDetails);
    }
}
