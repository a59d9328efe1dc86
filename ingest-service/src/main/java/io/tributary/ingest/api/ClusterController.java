package io.tributary.ingest.api;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tributary.ingest.cluster.ClusterOps;
import io.tributary.ingest.cluster.ClusterView;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The operator's view of the cluster. Needs CLUSTER DESCRIBE (the gateway's admin role, a super
 * user, or an ACL; checked by {@code acl.RequestAuthorization}), as listing ACLs does.
 */
@Tag(name = "Cluster", description = "The nodes of the cluster, their health and the partitions they lead")
@RestController
@RequestMapping("/api/v1/cluster")
class ClusterController {

    private static final String PROBLEM = "application/problem+json";

    private final ClusterOps cluster;

    ClusterController(ClusterOps cluster) {
        this.cluster = cluster;
    }

    @Operation(summary = "Describe the cluster", description = "Every configured node as the answering node sees it: "
            + "UP (ready), DOWN (answers but not ready) or UNREACHABLE (no answer within "
            + "ingest.replication.peer-probe-timeout, 500 ms by default; the nodes are asked at once), and the "
            + "partitions it leads and follows, service-owned topics (__consumer_offsets) apart. A single node "
            + "answers itself alone, leading every partition.",
            responses = {
                    @ApiResponse(responseCode = "200", description = "the cluster",
                            content = @Content(schema = @Schema(implementation = ClusterView.class))),
                    @ApiResponse(responseCode = "403", description = "no CLUSTER DESCRIBE permission",
                            content = @Content(mediaType = PROBLEM))})
    @GetMapping
    ClusterView describe() {
        return cluster.clusterView();
    }
}
