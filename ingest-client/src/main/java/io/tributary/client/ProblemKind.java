package io.tributary.client;

import io.tributary.problem.ProblemType;

/**
 * What went wrong, derived from a problem's {@code type} (an entry of the platform's catalogue,
 * {@link ProblemType}) first and its HTTP status second, so callers can branch without string matching.
 */
public enum ProblemKind {
    /** The request never got an HTTP answer (connect failure, reset, timeout). */
    NETWORK,
    BAD_REQUEST,
    NOT_FOUND,
    /** A generic 409, e.g. a topic that already exists. */
    CONFLICT,
    /** A newer epoch of the same named producer exists; this producer must stop. */
    PRODUCER_FENCED,
    /** The batch's sequence is lower than the last one written and is not a known duplicate. */
    OUT_OF_ORDER_SEQUENCE,
    /** The batch was already written long ago; its offsets are no longer known. */
    DUPLICATE_SEQUENCE,
    /** The group generation changed; the member's view of its assignment is stale. */
    REBALANCE_IN_PROGRESS,
    /** The consumer group member no longer owns the partition. */
    FENCED,
    OFFSET_OUT_OF_RANGE,
    UNAVAILABLE,
    SERVER_ERROR,
    OTHER;

    /** Classifies a problem answer: by its catalogue type first ({@link ProblemType}), else by its status. */
    public static ProblemKind of(int status, String type) {
        ProblemKind byType = ProblemType.of(type).map(known -> switch (known) {
            case PRODUCER_FENCED -> PRODUCER_FENCED;
            case OUT_OF_ORDER_SEQUENCE -> OUT_OF_ORDER_SEQUENCE;
            case DUPLICATE_SEQUENCE -> DUPLICATE_SEQUENCE;
            case REBALANCE_IN_PROGRESS -> REBALANCE_IN_PROGRESS;
            case FENCED -> FENCED;
            case OFFSET_OUT_OF_RANGE -> OFFSET_OUT_OF_RANGE;
            default -> null;
        }).orElse(null);
        if (byType != null) {
            return byType;
        }
        return switch (status) {
            case 0 -> NETWORK;
            case 400, 422 -> BAD_REQUEST;
            case 404 -> NOT_FOUND;
            case 409 -> CONFLICT;
            case 416 -> OFFSET_OUT_OF_RANGE;
            case 502, 503, 504 -> UNAVAILABLE;
            default -> status >= 500 ? SERVER_ERROR : OTHER;
        };
    }
}
