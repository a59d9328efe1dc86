package io.tributary.ingest.api;

import java.util.List;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tributary.ingest.cluster.ClusterOps;
import io.tributary.ingest.cluster.ClusterView;
import io.tributary.ingest.cluster.NodeAddress;
import io.tributary.ingest.cluster.Reassignments;
import io.tributary.problem.ProblemType;
import io.tributary.support.problem.ProblemResponses;
import io.tributary.ingest.problem.InvalidRequestException;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * The operator's view of the cluster. Needs CLUSTER DESCRIBE (the gateway's admin role, a super
 * user, or an ACL; checked by {@code acl.RequestAuthorization}), as listing ACLs does; moving
 * replicas and electing preferred leaders need CLUSTER ALTER.
 */
@Tag(name = "Cluster", description = "The nodes of the cluster, their health and the partitions they lead")
@ProblemResponses({ProblemType.AUTHORIZATION_FAILED, ProblemType.NODE_NOT_READY})
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

    @Operation(summary = "Move partition replicas between nodes",
            description = "Starts moving each named partition to the given nodes (the first is its preferred leader), "
                    + "as Kafka's partition reassignment does. Every move is checked before any starts. A move runs in "
                    + "the background: the new nodes join the partition's Raft group with an empty log and catch up "
                    + "from its leader, the group then changes to the new nodes through Raft (no acknowledged write is "
                    + "lost, produce and fetch go on), and the nodes left out delete their replica. A new order of the "
                    + "same nodes only changes the preferred leader and is done at once. Follow a move with GET.",
            responses = {
                    @ApiResponse(responseCode = "202", description = "the moves started",
                            content = @Content(schema = @Schema(implementation = Reassignments.Listing.class))),
                    @ApiResponse(responseCode = "400", description = "no partitions, a node that is not a member, a "
                            + "node or partition named twice, or a single node", content = @Content(mediaType = PROBLEM)),
                    @ApiResponse(responseCode = "403", description = "no CLUSTER ALTER permission",
                            content = @Content(mediaType = PROBLEM)),
                    @ApiResponse(responseCode = "404", description = "no such topic or partition",
                            content = @Content(mediaType = PROBLEM)),
                    @ApiResponse(responseCode = "409", description = "a partition is moving already",
                            content = @Content(mediaType = PROBLEM))})
    @ProblemResponses({ProblemType.UNKNOWN_TOPIC, ProblemType.REASSIGNMENT_IN_PROGRESS,
            ProblemType.NOT_ENOUGH_REPLICAS})
    @PostMapping("/reassignments")
    @ResponseStatus(HttpStatus.ACCEPTED)
    Reassignments.Listing reassign(@RequestBody Reassignments.Request request) {
        if (request == null || request.partitions() == null || request.partitions().isEmpty()) {
            throw new InvalidRequestException("partitions must name at least one partition");
        }
        if (request.partitions().contains(null) || request.partitions().stream().anyMatch(m -> m.topic() == null)) {
            throw new InvalidRequestException("every entry of partitions needs a topic");
        }
        return new Reassignments.Listing(cluster.reassign(request.partitions()));
    }

    @Operation(summary = "List partition moves in progress",
            description = "Each partition whose replicas are being moved: the nodes that hold a replica now (old and new "
                    + "together) and the nodes it goes to. Empty when nothing moves.",
            responses = {
                    @ApiResponse(responseCode = "200", description = "the moves in progress",
                            content = @Content(schema = @Schema(implementation = Reassignments.Listing.class))),
                    @ApiResponse(responseCode = "403", description = "no CLUSTER DESCRIBE permission",
                            content = @Content(mediaType = PROBLEM))})
    @GetMapping("/reassignments")
    Reassignments.Listing reassignments() {
        return new Reassignments.Listing(cluster.reassignments());
    }

    @Operation(summary = "Propose moves that spread partitions evenly",
            description = "Computes new replica lists that spread the partitions of the named topics (every topic but "
                    + "the service's own when none is named) evenly over the named nodes (every member when none is "
                    + "named), moving as few replicas as it can, then evens out the preferred leaders (as "
                    + "kafka-reassign-partitions --generate, after nodes are added or before some are removed). Starts "
                    + "nothing: the answer's partitions are a body for POST /api/v1/cluster/reassignments as they are.",
            responses = {
                    @ApiResponse(responseCode = "200", description = "the proposal, with replicas and preferred "
                            + "leaders per node before and after",
                            content = @Content(schema = @Schema(implementation = Reassignments.Plan.class))),
                    @ApiResponse(responseCode = "400", description = "a node that is not a member or named twice, a "
                            + "partition with more replicas than nodes named, or a single node",
                            content = @Content(mediaType = PROBLEM)),
                    @ApiResponse(responseCode = "403", description = "no CLUSTER DESCRIBE permission",
                            content = @Content(mediaType = PROBLEM)),
                    @ApiResponse(responseCode = "404", description = "no such topic",
                            content = @Content(mediaType = PROBLEM))})
    @ProblemResponses({ProblemType.UNKNOWN_TOPIC})
    @GetMapping("/reassignments/plan")
    Reassignments.Plan planReassignment(
            @io.swagger.v3.oas.annotations.Parameter(description = "nodes to spread over; every member when left out",
                    example = "1,2,3,4") @RequestParam(required = false) List<Integer> nodes,
            @io.swagger.v3.oas.annotations.Parameter(description = "topics to spread (repeat the parameter); every "
                    + "user topic when left out") @RequestParam(required = false) List<String> topic) {
        return cluster.planReassignment(nodes, topic);
    }

    @Operation(summary = "Cancel a partition move",
            description = "Sends a partition whose replicas are being moved back to the replicas it had before the move "
                    + "(as kafka-reassign-partitions --cancel). The way back runs in the background by the same steps "
                    + "as any move, from wherever the move got to: nodes it added leave the partition's Raft group and "
                    + "delete their replica, nodes it removed come back and catch up; no acknowledged write is lost. "
                    + "Answers the move back; cancelling that resumes the first move. Follow it with GET.",
            responses = {
                    @ApiResponse(responseCode = "202", description = "the partition is on its way back",
                            content = @Content(schema = @Schema(implementation = Reassignments.Running.class))),
                    @ApiResponse(responseCode = "400", description = "a move started by an earlier version (its "
                            + "original replicas are not known)", content = @Content(mediaType = PROBLEM)),
                    @ApiResponse(responseCode = "403", description = "no CLUSTER ALTER permission",
                            content = @Content(mediaType = PROBLEM)),
                    @ApiResponse(responseCode = "404", description = "no such topic or partition",
                            content = @Content(mediaType = PROBLEM)),
                    @ApiResponse(responseCode = "409", description = "the partition is not moving (or its move ended "
                            + "first)", content = @Content(mediaType = PROBLEM))})
    @ProblemResponses({ProblemType.UNKNOWN_TOPIC, ProblemType.NO_REASSIGNMENT_IN_PROGRESS,
            ProblemType.NOT_ENOUGH_REPLICAS})
    @DeleteMapping("/reassignments/{topic}/{partition}")
    @ResponseStatus(HttpStatus.ACCEPTED)
    Reassignments.Running cancelReassignment(@PathVariable String topic, @PathVariable int partition) {
        return cluster.cancelReassignment(topic, partition);
    }

    @Operation(summary = "Hand leadership back to preferred leaders",
            description = "For each partition (of one topic, or of all), moves the leadership to its preferred leader, "
                    + "the first of its replicas, when that node is in sync, caught up (at most 64 entries behind the "
                    + "leader's commit) and does not lead already (as Kafka's preferred leader election). Answers what "
                    + "happened to each partition.",
            responses = {
                    @ApiResponse(responseCode = "200", description = "one entry per partition",
                            content = @Content(schema = @Schema(implementation = Reassignments.Elections.class))),
                    @ApiResponse(responseCode = "403", description = "no CLUSTER ALTER permission",
                            content = @Content(mediaType = PROBLEM)),
                    @ApiResponse(responseCode = "404", description = "no such topic",
                            content = @Content(mediaType = PROBLEM))})
    @ProblemResponses({ProblemType.UNKNOWN_TOPIC})
    @PostMapping("/preferred-leader-elections")
    Reassignments.Elections electPreferredLeaders(@RequestParam(required = false) String topic) {
        return new Reassignments.Elections(cluster.electPreferredLeaders(topic));
    }

    /** Which node takes over another's replicas. */
    record Replacement(@Schema(example = "4") Integer by) {
    }

    @Operation(summary = "Add a node to the cluster",
            description = "Makes a running node a member: start it first with ingest.node-id, the founding "
                    + "ingest.cluster.peers and ingest.cluster.self-address=host:httpPort:raftPort. It joins the metadata "
                    + "group (it receives every topic, ACL and producer id) and holds no partition until some are moved "
                    + "to it (reassignments, replace) or topics are created after it joined. Sending the same node again "
                    + "after a failure finishes the job.",
            responses = {
                    @ApiResponse(responseCode = "201", description = "the node is a member",
                            content = @Content(schema = @Schema(implementation = NodeAddress.class))),
                    @ApiResponse(responseCode = "400", description = "a missing or bad field, or a single node",
                            content = @Content(mediaType = PROBLEM)),
                    @ApiResponse(responseCode = "403", description = "no CLUSTER ALTER permission",
                            content = @Content(mediaType = PROBLEM)),
                    @ApiResponse(responseCode = "409", description = "node-exists: the id or Raft address is a member's",
                            content = @Content(mediaType = PROBLEM)),
                    @ApiResponse(responseCode = "503", description = "node-unreachable (not started?) or the metadata "
                            + "group did not change in time: retriable", content = @Content(mediaType = PROBLEM))})
    @ProblemResponses({ProblemType.NODE_EXISTS, ProblemType.NODE_UNREACHABLE, ProblemType.NOT_ENOUGH_REPLICAS})
    @PostMapping("/nodes")
    @ResponseStatus(HttpStatus.CREATED)
    NodeAddress addNode(@RequestBody NodeAddress node) {
        return cluster.addNode(node);
    }

    @Operation(summary = "Move every replica of a node to another node",
            description = "Starts one move per partition with a replica on the node (the node may be dead): the "
                    + "other node takes its place in the partition's replica list, so preferred leaders stay. Follow the "
                    + "moves with GET /api/v1/cluster/reassignments, then remove the old node.",
            responses = {
                    @ApiResponse(responseCode = "202", description = "the moves started",
                            content = @Content(schema = @Schema(implementation = Reassignments.Listing.class))),
                    @ApiResponse(responseCode = "400", description = "by missing or not a member, or a single node",
                            content = @Content(mediaType = PROBLEM)),
                    @ApiResponse(responseCode = "404", description = "the node is not a member",
                            content = @Content(mediaType = PROBLEM)),
                    @ApiResponse(responseCode = "409", description = "one of its partitions is moving already",
                            content = @Content(mediaType = PROBLEM))})
    @ProblemResponses({ProblemType.REASSIGNMENT_IN_PROGRESS, ProblemType.NOT_ENOUGH_REPLICAS})
    @PostMapping("/nodes/{node}/replace")
    @ResponseStatus(HttpStatus.ACCEPTED)
    Reassignments.Listing replaceNode(@PathVariable int node, @RequestBody Replacement replacement) {
        if (replacement == null || replacement.by() == null) {
            throw new InvalidRequestException("by must name the node that takes the replicas");
        }
        return new Reassignments.Listing(cluster.replaceNode(node, replacement.by()));
    }

    @Operation(summary = "Remove a node from the cluster",
            description = "Takes a node that holds no replica out of the cluster (the metadata group shrinks by it). "
                    + "Move its replicas first. Then stop the node and delete its data folder.",
            responses = {
                    @ApiResponse(responseCode = "204", description = "the node is no longer a member"),
                    @ApiResponse(responseCode = "400", description = "the answering node itself, or a single node",
                            content = @Content(mediaType = PROBLEM)),
                    @ApiResponse(responseCode = "404", description = "not a member", content = @Content(mediaType = PROBLEM)),
                    @ApiResponse(responseCode = "409", description = "node-not-empty: it still holds replicas",
                            content = @Content(mediaType = PROBLEM))})
    @ProblemResponses({ProblemType.NODE_NOT_EMPTY, ProblemType.NOT_ENOUGH_REPLICAS})
    @DeleteMapping("/nodes/{node}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void removeNode(@PathVariable int node) {
        cluster.removeNode(node);
    }
}
