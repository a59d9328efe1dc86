package io.tributary.gateway.resilience;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What one breaker id's calls pass: its circuit breaker, its bulkhead and its time limit.
 *
 * @param id        the breaker id (ingest, clean, analytics)
 * @param breaker   counts the upstream's failures; open, it refuses calls
 * @param bulkhead  the calls in flight at once
 * @param timeLimit how long one call may take until the upstream's answer (its headers) arrives
 * @param timer     where the calls' deadlines run
 */
record RouteGuard(String id, CircuitBreaker breaker, Bulkhead bulkhead, Duration timeLimit,
                  ScheduledExecutorService timer) {

    /** Starts the time limit of a call made by the current thread. */
    CallDeadline startDeadline() {
        CallDeadline deadline = new CallDeadline(Thread.currentThread());
        deadline.timer = timer.schedule(deadline, timeLimit.toNanos(), TimeUnit.NANOSECONDS);
        return deadline;
    }
}
