package io.tributary.gateway.config;

import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Where the services are and how patiently the gateway waits for them. The routes in application.yml use the three
 * URLs through {@code ${gateway.ingest-url}} etc.; this record validates them at start-up and carries the rest.
 *
 * @param ingestUrl      base URL of ingest-service (topics, records, groups, producers)
 * @param cleanUrl       base URL of stream-clean-service (pipelines, reference tables)
 * @param analyticsUrl   base URL of analytics-service (jobs)
 * @param maxRequestSize largest request body forwarded; larger ones get 413 (default 64MB, ingest's own produce limit)
 * @param resilience     circuit breaker, time limiter and concurrency settings of the routes
 * @param forwarded      which callers may tell the gateway, through {@code X-Forwarded-*}, how they were reached
 */
@Validated
@ConfigurationProperties("gateway")
public record GatewayProperties(
        @NotNull URI ingestUrl,
        @NotNull URI cleanUrl,
        @NotNull URI analyticsUrl,
        @DefaultValue("64MB") DataSize maxRequestSize,
        @DefaultValue Resilience resilience,
        @DefaultValue Forwarded forwarded) {

    /**
     * The gateway is the edge: it drops the {@code Forwarded} and {@code X-Forwarded-*} headers callers send and tells
     * the services, in {@code X-Forwarded-Host/Proto/Port/For}, how it was reached itself. Only a proxy in front of
     * the gateway (an ingress, a load balancer) whose address matches {@code trustedProxies} may state the original
     * host, protocol, port, prefix and client chain; its malformed values get 400.
     *
     * @param trustedProxies regular expression over the caller's IP address ({@code getRemoteAddr()}) of the proxies
     *                       whose {@code X-Forwarded-*} headers are taken; empty (the default) trusts none
     */
    public record Forwarded(@DefaultValue("") String trustedProxies) {

        /** Whether a caller at this address is a trusted proxy. */
        public boolean trusts(String remoteAddr) {
            return !trustedProxies.isEmpty() && remoteAddr != null && remoteAddr.matches(trustedProxies);
        }
    }

    /**
     * One circuit breaker per route id (ingest, clean, analytics) with these settings.
     *
     * @param failureRateThreshold    percentage of failed calls that opens the breaker
     * @param slidingWindowSize       calls the failure rate is computed over
     * @param minimumNumberOfCalls    calls needed before the rate counts
     * @param waitInOpenState         how long an open breaker answers 503 without trying; then it lets
     *                                {@code permittedCallsInHalfOpenState} calls through and closes if they succeed
     * @param permittedCallsInHalfOpenState trial calls in half-open state
     * @param timeout                 default time limit of one proxied call
     * @param timeouts                time limit per breaker id, overriding {@code timeout}; ingest needs more than the
     *                                longest long-poll fetch ({@code maxWaitMs} up to 30 s)
     * @param maxConcurrentCalls      calls one breaker id may have in flight at once (a semaphore bulkhead: no queue,
     *                                no thread pool of its own); one more is refused at once with 503
     *                                {@code gateway-busy}, which does not count against the upstream
     * @param maxConcurrentCallsById  {@code maxConcurrentCalls} per breaker id, overriding the default, so that one
     *                                route (a flood of long polls) never takes the upstream connections and memory
     *                                the others need
     */
    public record Resilience(
            @DefaultValue("50") float failureRateThreshold,
            @DefaultValue("10") int slidingWindowSize,
            @DefaultValue("5") int minimumNumberOfCalls,
            @DefaultValue("10s") Duration waitInOpenState,
            @DefaultValue("2") int permittedCallsInHalfOpenState,
            @DefaultValue("15s") Duration timeout,
            @DefaultValue Map<String, Duration> timeouts,
            @DefaultValue("50") int maxConcurrentCalls,
            @DefaultValue Map<String, Integer> maxConcurrentCallsById) {

        /** The time limit for one breaker id. */
        public Duration timeoutFor(String id) {
            return timeouts.getOrDefault(id, timeout);
        }

        /** The concurrency limit for one breaker id. */
        public int maxConcurrentCallsFor(String id) {
            return maxConcurrentCallsById.getOrDefault(id, maxConcurrentCalls);
        }
    }
}
