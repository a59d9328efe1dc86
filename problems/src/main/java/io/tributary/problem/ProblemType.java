package io.tributary.problem;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Every problem type of the platform: the {@code type} of an RFC 9457 {@code application/problem+json}
 * answer from any service or the gateway, with its title, HTTP status and whether the same request may
 * succeed when sent again ({@code retriable}, a member of every answer). Services build their answers
 * from these entries and clients recognise answers by {@link #of(String)}, so a type's URI is written
 * in one place. Documented, with when each is answered, in {@code docs/problems.md}.
 *
 * <p>A type's URI is {@value #BASE} followed by its slug; slugs never change once released (clients
 * branch on them), titles may be reworded.
 */
public enum ProblemType {

    // Any service (and Spring MVC's own errors, mapped by status in forStatus)
    INVALID_REQUEST("invalid-request", "Invalid request", 400, false),
    UNAUTHORIZED("unauthorized", "Unauthorized", 401, false),
    FORBIDDEN("forbidden", "Forbidden", 403, false),
    NOT_FOUND("not-found", "Not found", 404, false),
    METHOD_NOT_ALLOWED("method-not-allowed", "Method not allowed", 405, false),
    NOT_ACCEPTABLE("not-acceptable", "Not acceptable", 406, false),
    /** Two writers changed the same resource; read it again and repeat the change. */
    CONCURRENT_CHANGE("concurrent-change", "Concurrent change", 409, true),
    PAYLOAD_TOO_LARGE("payload-too-large", "Payload too large", 413, false),
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", "Unsupported media type", 415, false),
    /** The service cannot answer now (a request timed out inside it, a dependency is away). */
    UNAVAILABLE("unavailable", "Service unavailable", 503, true),
    /** A bug: logged once with its stack trace and the request id, never shown to the caller. */
    INTERNAL_ERROR("internal-error", "Internal error", 500, true),

    // ingest-service: topics, records, producers
    INVALID_TOPIC("invalid-topic", "Invalid topic", 400, false),
    INVALID_CONFIG("invalid-config", "Invalid topic config", 400, false),
    INVALID_RECORD("invalid-record", "Invalid record", 400, false),
    RECORD_TOO_LARGE("record-too-large", "Record batch too large", 413, false),
    AUTHORIZATION_FAILED("authorization-failed", "Not authorized", 403, false),
    UNKNOWN_TOPIC("unknown-topic", "Unknown topic or partition", 404, false),
    TOPIC_EXISTS("topic-exists", "Topic already exists", 409, false),
    OFFSET_OUT_OF_RANGE("offset-out-of-range", "Offset out of range", 416, false),
    PRODUCER_FENCED("producer-fenced", "Producer fenced", 409, false),
    OUT_OF_ORDER_SEQUENCE("out-of-order-sequence", "Out-of-order sequence", 409, false),
    DUPLICATE_SEQUENCE("duplicate-sequence", "Duplicate sequence", 409, false),
    /** A node-wide cap that does not free itself (partitions, producer names): raise the limit or remove some. */
    LIMIT_REACHED("limit-reached", "Node limit reached", 422, false),
    /** A node-wide cap on something that frees itself (consumer groups): retry later. */
    CAPACITY_EXCEEDED("capacity-exceeded", "Node capacity exceeded", 503, true),
    IDEMPOTENCY_KEY_REUSED("idempotency-key-reused", "Idempotency key reused", 422, false),
    STORAGE_ERROR("storage-error", "Storage error", 503, true),

    // ingest-service: consumer groups
    UNKNOWN_MEMBER("unknown-member", "Unknown group member", 404, false),
    UNKNOWN_GROUP("unknown-group", "Unknown group", 404, false),
    REBALANCE_IN_PROGRESS("rebalance-in-progress", "Stale group generation", 409, false),
    /** A REST join of a group that has members through the Kafka protocol (one protocol at a time). */
    GROUP_IN_USE("group-in-use", "Group in use through the Kafka protocol", 409, false),
    FENCED("fenced", "Partition not assigned to member", 409, false),
    /** A group poll's {@code after} names neither the member's latest answer nor the one before it. */
    UNKNOWN_POLL_SEQUENCE("unknown-poll-sequence", "Unknown poll sequence", 409, false),

    // ingest-service: the replicated cluster
    /** A partition's replicas are already being moved; wait for that move to finish. */
    REASSIGNMENT_IN_PROGRESS("reassignment-in-progress", "Reassignment in progress", 409, false),
    /** A cancel of a partition move that is not running (never started, or ended before the cancel). */
    NO_REASSIGNMENT_IN_PROGRESS("no-reassignment-in-progress", "No reassignment in progress", 409, false),
    /** A node id or address is taken by a member already. */
    NODE_EXISTS("node-exists", "Node exists", 409, false),
    /** A node still holds partition replicas; move them off first. */
    NODE_NOT_EMPTY("node-not-empty", "Node holds replicas", 409, false),
    /** A node to be added does not answer (not started yet?). */
    NODE_UNREACHABLE("node-unreachable", "Node unreachable", 503, true),
    NOT_ENOUGH_REPLICAS("not-enough-replicas", "Not enough replicas", 503, true),
    COORDINATOR_NOT_AVAILABLE("coordinator-not-available", "Group coordinator not available", 503, true),
    /** A cluster node holds no replica of the partition a request needs locally; a replica can answer. */
    PARTITION_NOT_HOSTED("partition-not-hosted", "Partition not hosted on this node", 503, true),
    /** A cluster node that is not part of the cluster (yet): its empty data folder is being checked or was refused. */
    NODE_NOT_READY("node-not-ready", "Node not ready", 503, true),

    // stream-clean-service
    INVALID_PIPELINE("invalid-pipeline", "Invalid pipeline", 400, false),
    /** A step of a pipeline definition is wrong; {@code stepIndex} and {@code stepType} name it. */
    INVALID_STEP("invalid-step", "Invalid step", 400, false),
    UNKNOWN_PIPELINE("unknown-pipeline", "Unknown pipeline", 404, false),
    PIPELINE_EXISTS("pipeline-exists", "Pipeline exists", 409, false),
    INVALID_REFERENCE_TABLE("invalid-reference-table", "Invalid reference table", 400, false),
    UNKNOWN_REFERENCE_TABLE("unknown-reference-table", "Unknown reference table", 404, false),
    REFERENCE_TABLE_IN_USE("reference-table-in-use", "Reference table in use", 409, false),

    // analytics-service
    /** A job definition is wrong; {@code field} names the first bad field. */
    INVALID_JOB("invalid-job", "Invalid job", 400, false),
    UNKNOWN_JOB("unknown-job", "Unknown job", 404, false),
    JOB_EXISTS("job-exists", "Job exists", 409, false),
    JOB_STATE("job-state", "Not in this job state", 409, false),
    REFERENCE_TABLES_UNAVAILABLE("reference-tables-unavailable", "Reference tables unavailable", 503, true),
    INGEST_UNAVAILABLE("ingest-unavailable", "Ingest service unavailable", 503, true),

    // gateway
    BAD_FORWARDED_HEADER("bad-forwarded-header", "Bad forwarded header", 400, false),
    BAD_REQUEST_BODY("bad-request-body", "Request body unreadable", 400, false),
    REQUEST_TIMEOUT("request-timeout", "Request body too slow", 408, false),
    RATE_LIMITED("rate-limited", "Too many requests", 429, true),
    /** The gateway itself failed proxying (not counted against the service). */
    GATEWAY_ERROR("gateway-error", "Gateway error", 500, false),
    GATEWAY_BUSY("gateway-busy", "Gateway busy", 503, true),
    UPSTREAM_UNAVAILABLE("upstream-unavailable", "Upstream unavailable", 503, true),
    UPSTREAM_TIMEOUT("upstream-timeout", "Upstream timed out", 504, true);

    /** Base of every type URI. */
    public static final String BASE = "https://tributary.dev/problems/";

    private static final Map<String, ProblemType> BY_URI = new HashMap<>();

    static {
        for (ProblemType type : values()) {
            if (BY_URI.put(type.uri, type) != null) {
                throw new ExceptionInInitializerError("two problem types share " + type.uri);
            }
        }
    }

    private final String slug;
    private final String uri;
    private final String title;
    private final int status;
    private final boolean retriable;

    ProblemType(String slug, String title, int status, boolean retriable) {
        this.slug = slug;
        this.uri = BASE + slug;
        this.title = title;
        this.status = status;
        this.retriable = retriable;
    }

    /** The catalogue entry whose URI is exactly {@code typeUri}; empty for null or a type not in it. */
    public static Optional<ProblemType> of(String typeUri) {
        return typeUri == null ? Optional.empty() : Optional.ofNullable(BY_URI.get(typeUri));
    }

    /** Whether {@code typeUri} is exactly this type's URI. */
    public boolean is(String typeUri) {
        return uri.equals(typeUri);
    }

    /**
     * The type of an error the web framework raises by itself (an unknown path, a wrong method, an
     * unreadable body...), which knows only its status: 400 and any other 4xx without an entry of its
     * own is an invalid request, 5xx other than 503 a bug.
     */
    public static ProblemType forStatus(int status) {
        return switch (status) {
            case 401 -> UNAUTHORIZED;
            case 403 -> FORBIDDEN;
            case 404 -> NOT_FOUND;
            case 405 -> METHOD_NOT_ALLOWED;
            case 406 -> NOT_ACCEPTABLE;
            case 413 -> PAYLOAD_TOO_LARGE;
            case 415 -> UNSUPPORTED_MEDIA_TYPE;
            case 503 -> UNAVAILABLE;
            default -> status >= 500 ? INTERNAL_ERROR : INVALID_REQUEST;
        };
    }

    public String slug() {
        return slug;
    }

    /** {@value #BASE} + slug, as a string (what a problem's {@code type} member holds). */
    public String uriString() {
        return uri;
    }

    public URI uri() {
        return URI.create(uri);
    }

    public String title() {
        return title;
    }

    /** The HTTP status this type is answered with. */
    public int status() {
        return status;
    }

    public boolean retriable() {
        return retriable;
    }
}
