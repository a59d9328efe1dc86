package io.tributary.gateway.config;

import io.tributary.gateway.security.IdentityForwardingFilter;
import io.tributary.gateway.security.RateLimitFilter;
import io.tributary.gateway.security.SecurityProperties;
import io.tributary.gateway.web.BodySizeLimitFilter;
import io.tributary.gateway.web.ForwardedHeadersFilter;
import io.tributary.gateway.web.ForwardedHeadersWriter;
import io.tributary.gateway.web.Problems;
import io.tributary.support.identity.TokenMinter;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterProperties;

/**
 * The servlet filters in front of the routes, in this order: request id (service-support, first), forwarded headers
 * policy (400 for a trusted proxy's malformed ones), Spring Security (API key or bearer token, roles: 401/403,
 * {@code security/GatewaySecurityConfiguration}, at Spring Boot's order for it), the caller's identity for the
 * services (a gateway token replaces the caller's credentials), per-caller rate limit (429), body size (413).
 * Each answers problem+json itself. Also the header filter that writes the gateway's own {@code X-Forwarded-*} on
 * every proxied request.
 */
@Configuration(proxyBeanMethods = false)
class FilterConfig {

    @Bean
    FilterRegistrationBean<ForwardedHeadersFilter> forwardedHeadersFilter(GatewayProperties properties,
            Problems problems) {
        return register(new ForwardedHeadersFilter(properties, problems), Ordered.HIGHEST_PRECEDENCE + 5);
    }

    @Bean
    ForwardedHeadersWriter forwardedHeadersWriter() {
        return new ForwardedHeadersWriter();
    }

    // These run inside Spring Security's filter (they need its context of the caller), so after its order.
    @Bean
    FilterRegistrationBean<IdentityForwardingFilter> identityForwardingFilter(TokenMinter minter,
                                                                              SecurityProperties properties) {
        return register(new IdentityForwardingFilter(minter, properties), AFTER_SECURITY + 5);
    }

    @Bean
    FilterRegistrationBean<RateLimitFilter> rateLimitFilter(SecurityProperties properties, Problems problems) {
        return register(new RateLimitFilter(properties, problems), AFTER_SECURITY + 10);
    }

    @Bean
    FilterRegistrationBean<BodySizeLimitFilter> bodySizeLimitFilter(GatewayProperties properties, Problems problems) {
        return register(new BodySizeLimitFilter(properties, problems), AFTER_SECURITY + 20);
    }

    private static final int AFTER_SECURITY = SecurityFilterProperties.DEFAULT_FILTER_ORDER;

    private static <F extends jakarta.servlet.Filter> FilterRegistrationBean<F> register(F filter, int order) {
        FilterRegistrationBean<F> registration = new FilterRegistrationBean<>(filter);
        registration.setOrder(order);
        return registration;
    }
}
