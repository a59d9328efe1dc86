package io.tributary.ingest.cluster;

import io.swagger.v3.oas.annotations.media.Schema;

/** A node as an operator names it to add it: its id and where its REST and Raft ports listen. */
@Schema(description = "A node of the cluster: its id, host, REST port and Raft port")
public record NodeAddress(@Schema(example = "3") Integer id,
                          @Schema(example = "ingest-3.ingest-headless") String host,
                          @Schema(example = "8081") Integer httpPort,
                          @Schema(example = "9081") Integer raftPort) {
}
