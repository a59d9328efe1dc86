package io.tributary.gateway.resilience;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.tributary.gateway.web.BodySizeLimitFilter;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.cloud.gateway.server.mvc.common.MvcUtils;
import org.springframework.context.ApplicationContext;
import org.springframework.web.servlet.function.HandlerFilterFunction;
import org.springframework.web.servlet.function.HandlerFunction;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * A route's proxied call under its breaker id's {@link RouteGuard}, on the request's own thread: the bulkhead admits
 * it (or 503 {@code gateway-busy}), the circuit breaker permits it (or 503 {@code upstream-unavailable}), the time
 * limit runs while it waits for the upstream's answer, and its outcome is recorded in the breaker. Whatever ends it
 * other than the upstream's answer is answered by {@link Fallbacks}.
 * <p>
 * The guard and the fallbacks are looked up in the application context on the first call and kept (the route is
 * built from configuration, before the beans it needs exist).
 */
final class GuardedCall implements HandlerFilterFunction<ServerResponse, ServerResponse> {

    private final String id;
    private volatile Resolved resolved;

    GuardedCall(String id) {
        this.id = id;
    }

    private record Resolved(RouteGuard guard, Fallbacks fallbacks) {
    }

    @Override
    public ServerResponse filter(ServerRequest request, HandlerFunction<ServerResponse> next) throws Exception {
        Resolved r = resolve(request);
        RouteGuard guard = r.guard();
        Bulkhead bulkhead = guard.bulkhead();
        if (!bulkhead.tryAcquirePermission()) {
            return r.fallbacks().answer(id, BulkheadFullException.createBulkheadFullException(bulkhead), request);
        }
        try {
            CircuitBreaker breaker = guard.breaker();
            if (!breaker.tryAcquirePermission()) {
                return r.fallbacks().answer(id, CallNotPermittedException.createCallNotPermittedException(breaker),
                        request);
            }
            long start = System.nanoTime();
            // Tomcat's blocking read ignores interrupts: a body still arriving is checked against the limit
            BodySizeLimitFilter.limitClientWait(request.servletRequest(), start + guard.timeLimit().toNanos());
            CallDeadline deadline;
            try {
                deadline = guard.startDeadline();
            } catch (RuntimeException e) { // the timer refuses: the gateway is stopping
                breaker.releasePermission();
                throw e;
            }
            ServerResponse response;
            try {
                response = next.handle(request);
            } catch (Throwable t) {
                Throwable cause = deadline.end() ? timedOut(guard, t) : t;
                breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, cause);
                if (t instanceof VirtualMachineError fatal) {
                    throw fatal;
                }
                return r.fallbacks().answer(id, cause, request);
            }
            // the answer arrived, possibly as the limit struck: it is the upstream's answer all the same
            deadline.end();
            breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            return response;
        } finally {
            bulkhead.onComplete();
        }
    }

    private static TimeoutException timedOut(RouteGuard guard, Throwable interrupted) {
        TimeoutException timeout = new TimeoutException(
                "no answer within " + guard.timeLimit().toMillis() + " ms (route " + guard.id() + ")");
        timeout.initCause(interrupted);
        return timeout;
    }

    private Resolved resolve(ServerRequest request) {
        Resolved r = resolved;
        if (r == null) {
            ApplicationContext context = MvcUtils.getApplicationContext(request);
            r = new Resolved(context.getBean(RouteGuards.class).guard(id), context.getBean(Fallbacks.class));
            resolved = r;
        }
        return r;
    }
}
