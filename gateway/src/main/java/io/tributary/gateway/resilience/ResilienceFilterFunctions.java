package io.tributary.gateway.resilience;

import org.springframework.cloud.gateway.server.mvc.common.Shortcut;
import org.springframework.cloud.gateway.server.mvc.filter.FilterSupplier;
import org.springframework.cloud.gateway.server.mvc.filter.SimpleFilterSupplier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.function.HandlerFilterFunction;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * The route filter {@code Resilience} of the gateway's configuration ({@code - Resilience=ingest} in a route's
 * {@code filters}): the route's calls pass the circuit breaker, bulkhead and time limit of that breaker id
 * ({@link GuardedCall}; docs/gateway.md "Circuit breakers and time limits").
 */
public final class ResilienceFilterFunctions {

    private ResilienceFilterFunctions() {
    }

    /** Guards a route's calls with breaker id {@code id}'s circuit breaker, bulkhead and time limit. */
    @Shortcut
    public static HandlerFilterFunction<ServerResponse, ServerResponse> resilience(String id) {
        return new GuardedCall(id);
    }

    /** Makes the filter known to the gateway's route configuration. */
    @Configuration(proxyBeanMethods = false)
    static class Registration {
        @Bean
        FilterSupplier resilienceFilterSupplier() {
            return new SimpleFilterSupplier(ResilienceFilterFunctions.class);
        }
    }
}
