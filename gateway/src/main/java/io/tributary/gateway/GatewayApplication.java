package io.tributary.gateway;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The platform's front door. Routes live in application.yml; circuit-breaker defaults in
 * {@link io.tributary.gateway.config.ResilienceConfig}; the servlet filters in front of the routes check the API key
 * and role ({@link io.tributary.gateway.security.ApiKeyFilter}), the per-key rate
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
