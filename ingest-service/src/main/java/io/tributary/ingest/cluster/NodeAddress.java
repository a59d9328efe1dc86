package io.tributary.ingest.cluster;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * A node as an operator names it to add it: its id and where its REST, Raft and (optionally) Kafka
 * and replication listener ports listen.
 */
@Schema(description = "A node of the cluster: its id, host, REST port, Raft port and, when it has a Kafka listener, "
        + "its Kafka port, and its replication listener's port")
public record NodeAddress(@Schema(example = "3") Integer id,
                          @Schema(example = "ingest-3.ingest-headless") String host,
                          @Schema(example = "8081") Integer httpPort,
                          @Schema(example = "9081") Integer raftPort,
                          @Schema(description = "the port of its Kafka listener (its ingest.kafka.port), named to "
                                  + "Kafka clients in Metadata; absent: Kafka clients are not told about the node",
                                  nullable = true, example = "9092")
                          @JsonInclude(JsonInclude.Include.NON_NULL) Integer kafkaPort,
                          @Schema(description = "the port of its replication listener, where the other nodes fetch the "
                                  + "partitions it leads; absent: its Raft port plus one", nullable = true,
                                  example = "9082")
                          @JsonInclude(JsonInclude.Include.NON_NULL) Integer replicaPort) {
}
