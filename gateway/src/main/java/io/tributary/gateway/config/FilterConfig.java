package io.tributary.gateway.config;

import io.tributary.gateway.security.ApiKeyFilter;
import io.tributary.gateway.security.IdentityForwardingFilter;
import io.tributary.gateway.security.RateLimitFilter;
import io.tributary.gateway.security.SecurityProperties;
import io.tributary.gateway.web.BodySizeLimitFilter;
import io.tributary.gateway.web.ForwardedHeadersFilter;
import io.tributary.gateway.web.ForwardedHeadersWriter;
import io.tributary.gateway.web.Problems;
import io.tributary.support.identity.Secrets;
import io.tributary.support.identity.TokenMinter;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * The servlet filters in front of the routes, in this order: request id (service-support, first), forwarded headers
 * policy (400 for a trusted proxy's malformed ones), API key and role (401/403), the caller's identity for the
 * services (a gateway token replaces any caller {@code Authorization}), per-key rate limit (429), body size (413).
 * Each answers problem+json itself. Also the header filter that writes the gateway's own {@code X-Forwarded-*} on
 * every proxied request.
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
    FilterRegistrationBean<ApiKeyFilter> apiKeyFilter(SecurityProperties properties, Problems problems,
                                                      Environment environment) {
        // The secrets of the keys themselves: outside the development profile a placeholder (the Kubernetes
        // Secret ships "replace-me") or the development key refuses to start, naming the key.
        for (int i = 0; i < properties.apiKeys().size(); i++) {
            Secrets.requireReal(environment, "gateway.security.api-keys[" + i + "].key ("
                    + properties.apiKeys().get(i).name() + ")", properties.apiKeys().get(i).key());
        }
        return register(new ApiKeyFilter(properties, problems), 10);
    }

    @Bean
    FilterRegistrationBean<IdentityForwardingFilter> identityForwardingFilter(TokenMinter minter) {
        return register(new IdentityForwardingFilter(minter), 15);
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
