package io.tributary.gateway.config;

import io.tributary.gateway.security.ApiKeyFilter;
import io.tributary.gateway.security.RateLimitFilter;
import io.tributary.gateway.security.SecurityProperties;
import io.tributary.gateway.web.BodySizeLimitFilter;
import io.tributary.gateway.web.ForwardedHeadersFilter;
import io.tributary.gateway.web.ForwardedHeadersWriter;
import io.tributary.gateway.web.Problems;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * The servlet filters in front of the routes, in this order: request id (service-support, first), forwarded headers
 * policy (400 for a trusted proxy's malformed ones), API key and role (401/403), per-key rate limit (429), body size
 * (413). Each answers problem+json itself. Also the header filter that writes the gateway's own
 * {@code X-Forwarded-*} on every proxied request.
 */
@Configuration(proxyBeanMethods = false)
class FilterConfig {

    @Bean
    FilterRegistrationBean<ForwardedHeadersFilter> forwardedHeadersFilter(GatewayProperties properties,
            Problems problems) {
        return register(new ForwardedHeadersFilter(properties, problems), 5);
    }

    @Bean
    ForwardedHeadersWriter forwardedHeadersWriter() {
        return new ForwardedHeadersWriter();
    }

    @Bean
    FilterRegistrationBean<ApiKeyFilter> apiKeyFilter(SecurityProperties properties, Problems problems) {
        return register(new ApiKeyFilter(properties, problems), 10);
    }

    @Bean
    FilterRegistrationBean<RateLimitFilter> rateLimitFilter(SecurityProperties properties, Problems problems) {
        return register(new RateLimitFilter(properties, problems), 20);
    }

    @Bean
    FilterRegistrationBean<BodySizeLimitFilter> bodySizeLimitFilter(GatewayProperties properties, Problems problems) {
        return register(new BodySizeLimitFilter(properties, problems), 30);
    }

    private static <F extends jakarta.servlet.Filter> FilterRegistrationBean<F> register(F filter, int order) {
        FilterRegistrationBean<F> registration = new FilterRegistrationBean<>(filter);
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + order);
        return registration;
    }
}
