package io.tributary.gateway.config;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import io.tributary.gateway.web.BodySizeLimitFilter;
import org.springframework.cloud.circuitbreaker.resilience4j.Resilience4JCircuitBreakerFactory;
import org.springframework.cloud.circuitbreaker.resilience4j.Resilience4JConfigBuilder;
import org.springframework.cloud.client.circuitbreaker.Customizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The circuit-breaker defaults of every route, in one place. */
@Configuration(proxyBeanMethods = false)
class ResilienceConfig {

    @Bean
    Customizer<Resilience4JCircuitBreakerFactory> circuitBreakerDefaults(GatewayProperties properties) {
        GatewayProperties.Resilience r = properties.resilience();
        return factory -> factory.configureDefault(id -> new Resilience4JConfigBuilder(id)
                .circuitBreakerConfig(CircuitBreakerConfig.custom()
                        .failureRateThreshold(r.failureRateThreshold())
                        .slidingWindowSize(r.slidingWindowSize())
                        .minimumNumberOfCalls(r.minimumNumberOfCalls())
                        .waitDurationInOpenState(r.waitInOpenState())
                        .permittedNumberOfCallsInHalfOpenState(r.permittedCallsInHalfOpenState())
                        // half-open without waiting for a request to arrive: recovery is visible on the next call
                        .automaticTransitionFromOpenToHalfOpenEnabled(true)
                        // a client sending too much is not the upstream's failure
                        .ignoreException(BodySizeLimitFilter::isBodyTooLarge)
                        .build())
                .timeLimiterConfig(TimeLimiterConfig.custom().timeoutDuration(r.timeoutFor(id)).build())
                .build());
    }
}
