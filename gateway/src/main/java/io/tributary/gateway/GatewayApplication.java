package io.tributary.gateway;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The platform's front door. Routes live in application.yml, each guarded by its breaker id's circuit breaker,
 * bulkhead and time limit ({@link io.tributary.gateway.resilience.ResilienceFilterFunctions}); the servlet filters in
 * front of the routes check the API key or token and role (Spring Security,
 * {@link io.tributary.gateway.security.GatewaySecurityConfiguration}), the per-caller rate
 * ({@link io.tributary.gateway.security.RateLimitFilter}) and the body size
 * ({@link io.tributary.gateway.web.BodySizeLimitFilter}). See docs/gateway.md.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class GatewayApplication {

    public static void main(String[] args) {
        SpringApplication.run(GatewayApplication.class, args);
    }
}
