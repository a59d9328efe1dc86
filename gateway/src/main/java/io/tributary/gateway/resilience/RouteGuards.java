package io.tributary.gateway.resilience;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.tributary.gateway.config.GatewayProperties;
import io.tributary.gateway.web.Failures;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * One {@link RouteGuard} per breaker id (ingest, clean, analytics), built on its first call and kept: the circuit
 * breaker and the semaphore bulkhead live in resilience4j's registries (so {@code /actuator/circuitbreakers} and the
 * {@code resilience4j.*} metrics show them), configured from {@code gateway.resilience.*}; the time limit is the
 * id's. One timer thread ends every call that outlives its limit ({@link CallDeadline}).
 * <p>
 * Failures: only {@link Failures#isUpstreamFailure} are recorded; everything else is ignored (neither failure nor
 * success). Concurrency: never waiting, one call over the limit is refused at once (503 {@code gateway-busy}).
 */
@Component
public class RouteGuards implements DisposableBean {

    private final GatewayProperties.Resilience settings;
    private final CircuitBreakerRegistry breakers;
    private final BulkheadRegistry bulkheads;
    private final Map<String, RouteGuard> guards = new ConcurrentHashMap<>();
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, runnable -> {
        Thread thread = new Thread(runnable, "gateway-call-deadlines");
        thread.setDaemon(true);
        return thread;
    });

    RouteGuards(GatewayProperties properties, CircuitBreakerRegistry breakers, BulkheadRegistry bulkheads) {
        this.settings = properties.resilience();
        this.breakers = breakers;
        this.bulkheads = bulkheads;
        timer.setRemoveOnCancelPolicy(true); // most calls end long before their limit: drop their timers at once
    }

    /** The guard of a breaker id. */
    public RouteGuard guard(String id) {
        return guards.computeIfAbsent(id, this::build);
    }

    private RouteGuard build(String id) {
        CircuitBreaker breaker = breakers.circuitBreaker(id, CircuitBreakerConfig.custom()
                .failureRateThreshold(settings.failureRateThreshold())
                .slidingWindowSize(settings.slidingWindowSize())
                .minimumNumberOfCalls(settings.minimumNumberOfCalls())
                .waitDurationInOpenState(settings.waitInOpenState())
                .permittedNumberOfCallsInHalfOpenState(settings.permittedCallsInHalfOpenState())
                // half-open without waiting for a request to arrive: recovery is visible on the next call
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                // the client's faults, the gateway's own errors and its capacity limit are not the upstream's
                .ignoreException(t -> !Failures.isUpstreamFailure(t))
                .build());
        Bulkhead bulkhead = bulkheads.bulkhead(id, BulkheadConfig.custom()
                .maxConcurrentCalls(settings.maxConcurrentCallsFor(id))
                .maxWaitDuration(Duration.ZERO)
                .build());
        return new RouteGuard(id, breaker, bulkhead, settings.timeoutFor(id), timer);
    }

    @Override
    public void destroy() {
        timer.shutdownNow();
    }
}
