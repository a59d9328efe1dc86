package io.tributary.gateway.config;

import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The HTTP client every proxied call goes through: Apache HttpClient 5, classic (blocking) API. On the call's
 * virtual thread a blocking client reads the caller's body and writes it upstream on that one thread, with no
 * hand-off to client threads and back. The JDK client used before stalled about one 117 KB produce in 15,000 mid-body
 * (the upstream waited for the rest until the route's time limit, 504), see docs/gateway.md "The upstream client".
 * <p>
 * Connection timeout and read timeout still come from {@code spring.http.clients.*} (application.yml). The pool
 * holds as many connections per upstream as its breaker id admits calls (the bulkheads bound the calls, the pool
 * must never be what they wait for). A proxy passes bodies and cookies through: no content decompression (the
 * caller gets the upstream's encoding as it is) and no cookie store (one caller's cookies never reach another).
 */
@Configuration(proxyBeanMethods = false)
class UpstreamClientConfig {

    @Bean
    ClientHttpRequestFactoryBuilder<?> upstreamClient(GatewayProperties properties) {
        GatewayProperties.Resilience r = properties.resilience();
        // the breaker ids, one per upstream service (application.yml's routes)
        int[] limits = Stream.of("ingest", "clean", "analytics").mapToInt(r::maxConcurrentCallsFor).toArray();
        int perUpstream = IntStream.of(limits).max().getAsInt();
        int total = IntStream.of(limits).sum();
        return ClientHttpRequestFactoryBuilder.httpComponents()
                .withConnectionManagerCustomizer(pool -> pool.setMaxConnPerRoute(perUpstream).setMaxConnTotal(total))
                .withHttpClientCustomizer(client -> client.disableContentCompression().disableCookieManagement());
    }
}
