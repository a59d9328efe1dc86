package io.tributary.ingest.cluster;

import io.swagger.v3.oas.annotations.Hidden;
import io.tributary.ingest.replication.ReplicationEnabledCondition;
import io.tributary.support.problem.ProblemResponses;
import io.tributary.problem.ProblemType;
import org.springframework.context.annotation.Conditional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Node-to-node: this node's {@link NodeReport}, asked by a peer building its cluster view. Not
 * part of the public API (peer nodes only, as every {@code /internal/**} endpoint); only on a cluster.
 */
@Hidden
@ProblemResponses({ProblemType.UNAUTHORIZED, ProblemType.FORBIDDEN})
@RestController
@Conditional(ReplicationEnabledCondition.class)
class NodeReportController {

    private final NodeReports reports;

    NodeReportController(NodeReports reports) {
        this.reports = reports;
    }

    @GetMapping(ReportProbe.PATH)
    NodeReport report() {
        return reports.local();
    }
}
