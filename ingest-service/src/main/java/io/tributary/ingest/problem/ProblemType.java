package io.tributary.ingest.problem;

import java.net.URI;

import org.springframework.http.HttpStatus;

/**
 * The problem types the ingest API answers with ({@code type} of an RFC 9457 problem). Each
 * says whether the same request may succeed when retried. Documented in {@code docs/api.md}.
 */
public enum ProblemType {
    INVALID_REQUEST("invalid-request", "Invalid request", HttpStatus.BAD_REQUEST, false),
    INVALID_TOPIC("invalid-topic", "Invalid topic", HttpStatus.BAD_REQUEST, false),
    INVALID_CONFIG("invalid-config", "Invalid topic config", HttpStatus.BAD_REQUEST, false),
    INVALID_RECORD("invalid-record", "Invalid record", HttpStatus.BAD_REQUEST, false),
    RECORD_TOO_LARGE("record-too-large", "Record batch too large", HttpStatus.PAYLOAD_TOO_LARGE, false),
    AUTHORIZATION_FAILED("authorization-failed", "Not authorized", HttpStatus.FORBIDDEN, false),
    UNKNOWN_TOPIC("unknown-topic", "Unknown topic or partition", HttpStatus.NOT_FOUND, false),
    TOPIC_EXISTS("topic-exists", "Topic already exists", HttpStatus.CONFLICT, false),
    OFFSET_OUT_OF_RANGE("offset-out-of-range", "Offset out of range", HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE, false),
    PRODUCER_FENCED("producer-fenced", "Producer fenced", HttpStatus.CONFLICT, false),
    OUT_OF_ORDER_SEQUENCE("out-of-order-sequence", "Out-of-order sequence", HttpStatus.CONFLICT, false),
    DUPLICATE_SEQUENCE("duplicate-sequence", "Duplicate sequence", HttpStatus.CONFLICT, false),
    /** A node-wide cap that does not free itself (partitions, producer names): raise the limit or remove some. */
    LIMIT_REACHED("limit-reached", "Node limit reached", HttpStatus.UNPROCESSABLE_CONTENT, false),
    /** A node-wide cap on something that frees itself (consumer groups): retry later. */
    CAPACITY_EXCEEDED("capacity-exceeded", "Node capacity exceeded", HttpStatus.SERVICE_UNAVAILABLE, true),
    IDEMPOTENCY_KEY_REUSED("idempotency-key-reused", "Idempotency key reused", HttpStatus.UNPROCESSABLE_CONTENT, false),
    UNKNOWN_MEMBER("unknown-member", "Unknown group member", HttpStatus.NOT_FOUND, false),
    UNKNOWN_GROUP("unknown-group", "Unknown group", HttpStatus.NOT_FOUND, false),
    REBALANCE_IN_PROGRESS("rebalance-in-progress", "Stale group generation", HttpStatus.CONFLICT, false),
    /** A REST join of a group that has members through the Kafka protocol (one protocol at a time). */
    GROUP_IN_USE("group-in-use", "Group in use through the Kafka protocol", HttpStatus.CONFLICT, false),
    FENCED("fenced", "Partition not assigned to member", HttpStatus.CONFLICT, false),
    /** A group poll's {@code after} names neither the member's latest answer nor the one before it. */
    UNKNOWN_POLL_SEQUENCE("unknown-poll-sequence", "Unknown poll sequence", HttpStatus.CONFLICT, false),
    /** A partition's replicas are already being moved; wait for that move to finish. */
    REASSIGNMENT_IN_PROGRESS("reassignment-in-progress", "Reassignment in progress", HttpStatus.CONFLICT, false),
    /** A node id or address is taken by a member already. */
    NODE_EXISTS("node-exists", "Node exists", HttpStatus.CONFLICT, false),
    /** A node still holds partition replicas; move them off first. */
    NODE_NOT_EMPTY("node-not-empty", "Node holds replicas", HttpStatus.CONFLICT, false),
    /** A node to be added does not answer (not started yet?). */
    NODE_UNREACHABLE("node-unreachable", "Node unreachable", HttpStatus.SERVICE_UNAVAILABLE, true),
    UNAUTHORIZED("unauthorized", "Unauthorized", HttpStatus.UNAUTHORIZED, false),
    FORBIDDEN("forbidden", "Forbidden", HttpStatus.FORBIDDEN, false),
    NOT_FOUND("not-found", "Not found", HttpStatus.NOT_FOUND, false),
    METHOD_NOT_ALLOWED("method-not-allowed", "Method not allowed", HttpStatus.METHOD_NOT_ALLOWED, false),
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", "Unsupported media type", HttpStatus.UNSUPPORTED_MEDIA_TYPE, false),
    NOT_ACCEPTABLE("not-acceptable", "Not acceptable", HttpStatus.NOT_ACCEPTABLE, false),
    STORAGE_ERROR("storage-error", "Storage error", HttpStatus.SERVICE_UNAVAILABLE, true),
    NOT_ENOUGH_REPLICAS("not-enough-replicas", "Not enough replicas", HttpStatus.SERVICE_UNAVAILABLE, true),
    COORDINATOR_NOT_AVAILABLE("coordinator-not-available", "Group coordinator not available",
            HttpStatus.SERVICE_UNAVAILABLE, true),
    /** A cluster node holds no replica of the partition a request needs locally; a replica can answer. */
    PARTITION_NOT_HOSTED("partition-not-hosted", "Partition not hosted on this node", HttpStatus.SERVICE_UNAVAILABLE,
            true),
    /** A cluster node that is not part of the cluster (yet): its empty data folder is being checked or was refused. */
    NODE_NOT_READY("node-not-ready", "Node not ready", HttpStatus.SERVICE_UNAVAILABLE, true),
    INTERNAL_ERROR("internal-error", "Internal error", HttpStatus.INTERNAL_SERVER_ERROR, true);

    /** Base of every type URI; the fragment-free slug is appended. */
    public static final String BASE = "https://tributary.dev/problems/";

    private final String slug;
    private final String title;
    private final HttpStatus status;
    private final boolean retriable;

    ProblemType(String slug, String title, HttpStatus status, boolean retriable) {
        this.slug = slug;
        this.title = title;
        this.status = status;
        this.retriable = retriable;
    }

    public URI uri() {
        return URI.create(BASE + slug);
    }

    public String title() {
        return title;
    }

    public HttpStatus status() {
        return status;
    }

    public boolean retriable() {
        return retriable;
    }
}
