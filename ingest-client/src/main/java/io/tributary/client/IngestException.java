package io.tributary.client;

import java.util.Objects;

/**
 * A failed call to the ingest service: either an {@code application/problem+json} answer or a
 * network failure (status 0, kind {@link ProblemKind#NETWORK}).
 *
 * <p>{@link #retriable()} is the server's {@code retriable} flag when it sent one; otherwise it
 * is true for network failures, 5xx and 429 answers.
 */
public class IngestException extends RuntimeException {

    private final int status;
    private final String type;
    private final String title;
    private final String detail;
    private final boolean retriable;
    private final ProblemKind kind;

    public IngestException(int status, String type, String title, String detail, boolean retriable,
                           Throwable cause) {
        super(describe(status, title, detail), cause);
        this.status = status;
        this.type = type;
        this.title = title;
        this.detail = detail;
        this.retriable = retriable;
        this.kind = ProblemKind.of(status, type);
    }

    /** A failure without an HTTP answer; always retriable. */
    public static IngestException network(String detail, Throwable cause) {
        return new IngestException(0, null, "Network failure", detail, true, cause);
    }

    private static String describe(int status, String title, String detail) {
        String head = status == 0 ? "" : status + " ";
        return head + Objects.toString(title, "Error") + (detail == null ? "" : ": " + detail);
    }

    /** HTTP status, or 0 when the request got no answer. */
    public int status() {
        return status;
    }

    /** The problem type URI, or null. */
    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return detail;
    }

    public boolean retriable() {
        return retriable;
    }

    public ProblemKind kind() {
        return kind;
    }
}
