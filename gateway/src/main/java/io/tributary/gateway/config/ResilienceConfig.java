package io.tributary.gateway.config;

import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.ThreadPoolBulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import io.tributary.gateway.web.Failures;
import java.time.Duration;
import org.springframework.cloud.circuitbreaker.resilience4j.Resilience4JCircuitBreakerFactory;
import org.springframework.cloud.circuitbreaker.resilience4j.Resilience4JConfigBuilder;
import org.springframework.cloud.circuitbreaker.resilience4j.Resilience4jBulkheadConfigurationBuilder;
import org.springframework.cloud.circuitbreaker.resilience4j.Resilience4jBulkheadProvider;
import org.springframework.cloud.client.circuitbreaker.Customizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The resilience of every route, in one place: circuit breaker, time limit and concurrency limit per breaker id.
 * <p>
 * Concurrency: a semaphore bulkhead per id ({@code spring.cloud.circuitbreaker.resilience4j
 * .enable-semaphore-default-bulkhead=true} in application.yml) of {@code gateway.resilience.max-concurrent-calls}
 * calls, never waiting: one more call is refused at once (503 {@code gateway-busy}), nothing is queued, so a burst
 * leaves nothing behind and the route serves again as soon as calls finish. The calls themselves run on a virtual
 * thread each with the request's logging context ({@link ProxiedCallExecutor}: the time limit needs the call on
 * another thread than the request's), as many as the bulkheads admit; the library's default instead was a thread-pool bulkhead of as many threads as CPUs with a queue of 100,
 * shared by long polls and everything else.
 * <p>
 * Failures: only {@link Failures#isUpstreamFailure} are recorded; everything else is ignored (neither failure nor
 * success).
 */
@Configuration(proxyBeanMethods = false)
class ResilienceConfig {

    @Bean
    Customizer<Resilience4JCircuitBreakerFactory> circuitBreakerDefaults(GatewayProperties properties) {
        GatewayProperties.Resilience r = properties.resilience();
        return factory -> {
            factory.configureExecutorService(new ProxiedCallExecutor());
            factory.configureDefault(id -> new Resilience4JConfigBuilder(id)
                    .circuitBreakerConfig(CircuitBreakerConfig.custom()
                            .failureRateThreshold(r.failureRateThreshold())
                            .slidingWindowSize(r.slidingWindowSize())
                            .minimumNumberOfCalls(r.minimumNumberOfCalls())
                            .waitDurationInOpenState(r.waitInOpenState())
                            .permittedNumberOfCallsInHalfOpenState(r.permittedCallsInHalfOpenState())
                            // half-open without waiting for a request to arrive: recovery is visible on the next call
                            .automaticTransitionFromOpenToHalfOpenEnabled(true)
                            // the client's faults, the gateway's own errors and its capacity limit are not the
                            // upstream's
                            .ignoreException(t -> !Failures.isUpstreamFailure(t))
                            .build())
                    .timeLimiterConfig(TimeLimiterConfig.custom().timeoutDuration(r.timeoutFor(id)).build())
                    .build());
        };
    }

    @Bean
    Customizer<Resilience4jBulkheadProvider> bulkheadDefaults(GatewayProperties properties) {
        GatewayProperties.Resilience r = properties.resilience();
        return provider -> provider.configureDefault(id -> new Resilience4jBulkheadConfigurationBuilder()
                .bulkheadConfig(BulkheadConfig.custom()
                        .maxConcurrentCalls(r.maxConcurrentCallsFor(id))
                        .maxWaitDuration(Duration.ZERO)
                        .build())
                // unused (semaphore bulkheads), but the builder wants one
                .threadPoolBulkheadConfig(ThreadPoolBulkheadConfig.ofDefaults())
                .build());
    }
}
