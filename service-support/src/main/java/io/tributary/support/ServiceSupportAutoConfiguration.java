package io.tributary.support;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingFilterBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.web.filter.ForwardedHeaderFilter;

/**
 * Servlet plumbing every Tributary application gets by depending on {@code service-support}:
 * <ul>
 * <li>{@link RequestIdFilter}, first in the chain so that even a 401 from the gateway carries an id
 * ({@code tributary.support.request-id.enabled}, default true);</li>
 * <li>a {@link ForwardedHeaderFilter}, so that links and the OpenAPI {@code servers} a service computes from the
 * request name the gateway's address when it is called through the gateway
 * ({@code tributary.support.forwarded-headers.enabled}, default true; not registered when the application already
 * has one, e.g. with {@code server.forward-headers-strategy=framework}). The services are not meant to be reachable
 * except through the gateway (see docs/gateway.md), which is what makes trusting these headers acceptable.</li>
 * </ul>
 */
@AutoConfiguration(afterName = "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
public class ServiceSupportAutoConfiguration {

    @Bean
    @ConditionalOnProperty(name = "tributary.support.request-id.enabled", matchIfMissing = true)
    FilterRegistrationBean<RequestIdFilter> requestIdFilter() {
        FilterRegistrationBean<RequestIdFilter> registration = new FilterRegistrationBean<>(new RequestIdFilter());
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        registration.setAsyncSupported(true);
        return registration;
    }

    @Bean
    @ConditionalOnMissingFilterBean(ForwardedHeaderFilter.class)
    @ConditionalOnProperty(name = "tributary.support.forwarded-headers.enabled", matchIfMissing = true)
    FilterRegistrationBean<ForwardedHeaderFilter> supportForwardedHeaderFilter() {
        FilterRegistrationBean<ForwardedHeaderFilter> registration =
                new FilterRegistrationBean<>(new ForwardedHeaderFilter());
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
        registration.setAsyncSupported(true);
        return registration;
    }
}
