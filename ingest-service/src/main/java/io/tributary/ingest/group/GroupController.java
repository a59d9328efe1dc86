package io.tributary.ingest.group;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tributary.ingest.acl.AccessControl;
import io.tributary.ingest.acl.ResourceType;
import io.tributary.ingest.api.FetchLimits;
import io.tributary.ingest.api.RecordsJson;
import io.tributary.ingest.config.IngestProperties;
import io.tributary.ingest.group.GroupDtos.CommitRequest;
import io.tributary.ingest.group.GroupDtos.GroupDescription;
import io.tributary.ingest.group.GroupDtos.GroupList;
import io.tributary.ingest.group.GroupDtos.JoinRequest;
import io.tributary.ingest.group.GroupDtos.MembershipAnswer;
import io.tributary.ingest.group.GroupDtos.OffsetCommit;
import io.tributary.ingest.group.GroupDtos.PartitionRef;
import io.tributary.ingest.topic.TopicPartition;
import io.tributary.support.problem.ProblemResponses;
import io.tributary.problem.ProblemType;
import io.tributary.ingest.problem.InvalidRequestException;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@Tag(name = "Consumer groups", description = "Join a group, poll the assigned partitions, commit offsets")
@ProblemResponses({ProblemType.AUTHORIZATION_FAILED, ProblemType.NODE_NOT_READY, ProblemType.COORDINATOR_NOT_AVAILABLE})
@RestController
@RequestMapping("/api/v1/groups")
class GroupController {

    private static final String PROBLEM = "application/problem+json";

    private final GroupCoordinator coordinator;
    private final IngestProperties props;
    private final AccessControl access;

    GroupController(GroupCoordinator coordinator, IngestProperties props, AccessControl access) {
        this.access = access;
        this.coordinator = coordinator;
        this.props = props;
    }

    @Operation(summary = "Join a group",
            description = "Adds a member subscribed to the topics and rebalances the group (range assignment per "
                    + "topic). autoOffsetReset (earliest or latest, default latest) says where partitions without a "
                    + "committed offset start.",
            responses = {
                    @ApiResponse(responseCode = "200", description = "joined"),
                    @ApiResponse(responseCode = "400", description = "no topics, bad session timeout or reset policy",
                            content = @Content(mediaType = PROBLEM)),
                    @ApiResponse(responseCode = "404", description = "unknown topic",
                            content = @Content(mediaType = PROBLEM))})
    @ProblemResponses({ProblemType.UNKNOWN_TOPIC, ProblemType.GROUP_IN_USE, ProblemType.CAPACITY_EXCEEDED,
            ProblemType.UNSUPPORTED_MEDIA_TYPE})
    @PostMapping(path = "/{group}/members", consumes = MediaType.APPLICATION_JSON_VALUE)
    MembershipAnswer join(@PathVariable String group, @RequestBody JoinRequest body, HttpServletRequest http) {
        if (body.topics() != null) { // GROUP READ was checked by the route; each topic needs READ
            access.requireTopicsRead(http, body.topics().stream().filter(java.util.Objects::nonNull).toList());
        }
        return coordinator.join(group, body.topics(), body.sessionTimeoutMs(), body.autoOffsetReset());
    }

    @Operation(summary = "Heartbeat", description = "Keeps the member alive; answers its generation and partitions.",
            responses = {
                    @ApiResponse(responseCode = "200"),
                    @ApiResponse(responseCode = "404", description = "unknown or expired member: join again",
                            content = @Content(mediaType = PROBLEM))})
    @ProblemResponses({ProblemType.UNKNOWN_GROUP, ProblemType.UNKNOWN_MEMBER})
    @PostMapping("/{group}/members/{memberId}/heartbeat")
    MembershipAnswer heartbeat(@PathVariable String group, @PathVariable String memberId) {
        return coordinator.heartbeat(group, memberId);
    }

    @Operation(summary = "Leave a group", description = "Removes the member and rebalances the group.",
            responses = {
                    @ApiResponse(responseCode = "204"),
                    @ApiResponse(responseCode = "404", description = "unknown member",
                            content = @Content(mediaType = PROBLEM))})
    @ProblemResponses({ProblemType.UNKNOWN_GROUP, ProblemType.UNKNOWN_MEMBER})
    @DeleteMapping("/{group}/members/{memberId}")
    ResponseEntity<Void> leave(@PathVariable String group, @PathVariable String memberId) {
        coordinator.leave(group, memberId);
        return ResponseEntity.noContent().build();
    }

    @Operation(summary = "Poll records",
            description = "Returns records of the member's partitions from its positions (the committed offset, "
                    + "or autoOffsetReset, on first use) and moves the positions past them. Waits up to maxWaitMs "
                    + "for data. Counts as a heartbeat. Answers the generation and assignments it was served under, "
                    + "and pollSeq. after (optional) is the pollSeq of the latest answer the client received (0 "
                    + "before the first): a poll sent again after a lost answer, with the same after, returns that "
                    + "answer's records again instead of skipping them. Without after, the latest answer counts "
                    + "as received.",
            responses = {
                    @ApiResponse(responseCode = "200"),
                    @ApiResponse(responseCode = "400", description = "bad maxRecords, maxBytes, maxWaitMs or after",
                            content = @Content(mediaType = PROBLEM)),
                    @ApiResponse(responseCode = "404", description = "unknown or expired member: join again",
                            content = @Content(mediaType = PROBLEM)),
                    @ApiResponse(responseCode = "409", description = "unknown-poll-sequence: after is neither the "
                            + "latest answer nor the one before it", content = @Content(mediaType = PROBLEM))})
    @ProblemResponses({ProblemType.UNKNOWN_GROUP, ProblemType.UNKNOWN_MEMBER, ProblemType.UNKNOWN_POLL_SEQUENCE})
    @GetMapping(path = "/{group}/members/{memberId}/records", produces = MediaType.APPLICATION_JSON_VALUE)
    CompletableFuture<ResponseEntity<byte[]>> poll(@PathVariable String group, @PathVariable String memberId,
                                                   @RequestParam(required = false) Integer maxRecords,
                                                   @RequestParam(required = false) Integer maxBytes,
                                                   @RequestParam(defaultValue = "0") long maxWaitMs,
                                                   @RequestParam(required = false) String after) {
        FetchLimits limits = FetchLimits.of(maxRecords, maxBytes, maxWaitMs, props.fetch());
        return coordinator.poll(group, memberId, pollSequence(after), limits.maxRecords(), limits.maxBytes(),
                        limits.maxWaitMs())
                .thenApply(answer -> ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON)
                        .body(RecordsJson.groupPoll(prefix(answer.membership(), answer.pollSeq()), answer.fetches())));
    }

    /** Parsed here rather than by Spring, so that the problem names the parameter and what it expects. */
    private static Long pollSequence(String after) {
        if (after == null) {
            return null;
        }
        long seq;
        try {
            seq = after.isEmpty() || after.charAt(0) == '+' ? -1 : Long.parseLong(after);
        } catch (NumberFormatException e) {
            seq = -1;
        }
        if (seq < 0) {
            throw new InvalidRequestException("after must be the pollSeq of the latest poll answer received (an "
                    + "integer, 0 before the first answer), was '" + abbreviate(after) + "'");
        }
        return seq;
    }

    private static String abbreviate(String value) {
        return value.length() <= 40 ? value : value.substring(0, 40) + "...";
    }

    /**
     * {@code "memberId":..,"generation":g,"assignments":[..],"pollSeq":n}; ids are ours and topic
     * names plain ASCII.
     */
    private static String prefix(MembershipAnswer membership, long pollSeq) {
        StringBuilder out = new StringBuilder(80 + 40 * membership.assignments().size());
        out.append("\"memberId\":\"").append(membership.memberId()).append("\",\"generation\":")
                .append(membership.generation()).append(",\"pollSeq\":").append(pollSeq)
                .append(",\"assignments\":[");
        boolean first = true;
        for (PartitionRef p : membership.assignments()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            out.append("{\"topic\":\"").append(p.topic()).append("\",\"partition\":").append(p.partition()).append('}');
        }
        return out.append(']').toString();
    }

    @Operation(summary = "Commit offsets",
            description = "Stores next-offsets-to-consume durably. 409 rebalance-in-progress when the generation is "
                    + "stale, 409 fenced when a partition is not assigned to the member.",
            responses = {
                    @ApiResponse(responseCode = "204", description = "committed"),
                    @ApiResponse(responseCode = "404", description = "unknown member",
                            content = @Content(mediaType = PROBLEM)),
                    @ApiResponse(responseCode = "409", description = "stale generation or partition not owned",
                            content = @Content(mediaType = PROBLEM))})
    @ProblemResponses({ProblemType.UNKNOWN_GROUP, ProblemType.UNKNOWN_MEMBER, ProblemType.REBALANCE_IN_PROGRESS,
            ProblemType.FENCED, ProblemType.UNSUPPORTED_MEDIA_TYPE})
    @PostMapping(path = "/{group}/offsets", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Void> commit(@PathVariable String group, @RequestBody CommitRequest body,
                                HttpServletRequest http) {
        if (body.memberId() == null || body.generation() == null || body.offsets() == null) {
            throw new InvalidRequestException("memberId, generation and offsets are required");
        }
        Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
        for (OffsetCommit o : body.offsets()) {
            if (o == null || o.topic() == null || o.partition() == null || o.offset() == null) {
                throw new InvalidRequestException("every offset needs topic, partition and offset");
            }
            offsets.put(new TopicPartition(o.topic(), o.partition()), o.offset());
        }
        access.requireTopicsRead(http, offsets.keySet().stream().map(TopicPartition::topic).toList());
        coordinator.commit(group, body.memberId(), body.generation(), offsets);
        return ResponseEntity.noContent().build();
    }

    @Operation(summary = "List groups", description = "Only the groups the caller may describe.")
    @GetMapping
    GroupList list(HttpServletRequest http) {
        return new GroupList(coordinator.list().stream()
                .filter(g -> access.canDescribe(http, ResourceType.GROUP, g.group())).toList());
    }

    @Operation(summary = "Describe a group",
            description = "Members with their subscriptions and partitions, committed offsets with lag "
                    + "(high watermark minus committed offset).",
            responses = {
                    @ApiResponse(responseCode = "200"),
                    @ApiResponse(responseCode = "404", description = "unknown group",
                            content = @Content(mediaType = PROBLEM))})
    @ProblemResponses({ProblemType.UNKNOWN_GROUP})
    @GetMapping("/{group}")
    GroupDescription describe(@PathVariable String group) {
        return coordinator.describe(group);
    }
}
