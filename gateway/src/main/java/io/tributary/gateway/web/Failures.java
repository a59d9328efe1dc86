package io.tributary.gateway.web;

import io.github.resilience4j.bulkhead.BulkheadFullException;
import java.io.IOException;
import java.util.concurrent.TimeoutException;

/**
 * What counts as an upstream's failure in its circuit breaker: only the upstream could not be used. That is a
 * connection or I/O error on the way to it (refused, reset, its answer not arriving within the HTTP client's read
 * timeout) or the route's time limit striking while the gateway waits for the upstream. Never counted: the client's
 * faults (its body too large, unreadable or too slow: {@link BodySizeLimitFilter.ClientBodyException}, or the time
 * limit striking while the call waits for the client's bytes), the gateway's own capacity limit
 * ({@link BulkheadFullException}) and the gateway's own errors (any other exception). Upstream answers, 5xx
 * included, pass through and are not counted either: a service answering, say, 503 for its own capacity limits is
 * alive, and opening its breaker would turn one client's limit into an outage for everyone.
 */
public final class Failures {

    private Failures() {
    }

    /** The circuit breakers' record predicate. */
    public static boolean isUpstreamFailure(Throwable t) {
        if (find(t, BodySizeLimitFilter.ClientBodyException.class) != null || find(t, BulkheadFullException.class) != null) {
            return false;
        }
        if (find(t, TimeoutException.class) != null) {
            return !BodySizeLimitFilter.isCurrentRequestWaitingForClient();
        }
        return find(t, IOException.class) != null;
    }

    /** {@code t} or its first cause of the given type, or null. */
    public static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return null;
    }
}
