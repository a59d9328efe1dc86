package io.tributary.gateway;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.slf4j.MDC;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.cloud.gateway.server.mvc.filter.HttpHeadersFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The gateway on a random port in front of three real HTTP stubs. Every test class extending this one shares the
 * same application context (and stubs). Keys: {@code p-key} producer, {@code c-key} consumer, {@code a-key} admin,
 * {@code t-key} consumer limited to 2 requests per hour, {@code n-key} no role at all. At most 4 concurrent calls to
 * ingest. A request carrying {@code X-Test-Fault} makes the gateway itself fail inside the proxied call
 * ({@link FaultInjection}).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "gateway.security.api-keys[0].name=producer-app",
        "gateway.security.api-keys[0].key=p-key",
        "gateway.security.api-keys[0].roles=producer",
        "gateway.security.api-keys[1].name=consumer-app",
        "gateway.security.api-keys[1].key=c-key",
        "gateway.security.api-keys[1].roles=consumer",
        "gateway.security.api-keys[2].name=operator",
        "gateway.security.api-keys[2].key=a-key",
        "gateway.security.api-keys[2].roles=admin",
        "gateway.security.api-keys[3].name=throttled",
        "gateway.security.api-keys[3].key=t-key",
        "gateway.security.api-keys[3].roles=consumer",
        "gateway.security.api-keys[3].rate-limit.limit-for-period=2",
        "gateway.security.api-keys[3].rate-limit.refresh-period=1h",
        "gateway.security.api-keys[4].name=public-only",
        "gateway.security.api-keys[4].key=n-key",
        "gateway.max-request-size=4KB",
        "gateway.resilience.minimum-number-of-calls=2",
        "gateway.resilience.sliding-window-size=2",
        "gateway.resilience.wait-in-open-state=1s",
        "gateway.resilience.timeouts.clean=2s",
        "gateway.resilience.max-concurrent-calls-by-id.ingest=4",
}, classes = {GatewayApplication.class, GatewayTestSupport.FaultInjection.class})
abstract class GatewayTestSupport {

    static final UpstreamStub INGEST = new UpstreamStub("ingest").start();
    static final UpstreamStub CLEAN = new UpstreamStub("clean").start();
    static final UpstreamStub ANALYTICS = new UpstreamStub("analytics").start();

    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @DynamicPropertySource
    static void upstreams(DynamicPropertyRegistry registry) {
        registry.add("gateway.ingest-url", INGEST::url);
        registry.add("gateway.clean-url", CLEAN::url);
        registry.add("gateway.analytics-url", ANALYTICS::url);
    }

    /** Where the probe header filter ran: the request id in the logging context, and whether on a virtual thread. */
    record CallContext(String requestId, boolean virtualThread) {
    }

    static final BlockingQueue<CallContext> CALL_CONTEXTS = new LinkedBlockingQueue<>();

    /**
     * A bug of the gateway's own, on demand: a request header filter that throws when the request asks for it. And a
     * probe: a header filter (it runs inside the proxied call) that records where it ran when asked to.
     */
    @TestConfiguration(proxyBeanMethods = false)
    static class FaultInjection {
        @Bean
        HttpHeadersFilter.RequestHttpHeadersFilter callContextProbe() {
            return (headers, request) -> {
                if (request.headers().firstHeader("X-Test-Probe") != null) {
                    CALL_CONTEXTS.add(new CallContext(MDC.get("requestId"),
                            Thread.currentThread().isVirtual()));
                }
                return headers;
            };
        }

        @Bean
        HttpHeadersFilter.RequestHttpHeadersFilter faultInjection() {
            return (headers, request) -> {
                if (request.headers().firstHeader("X-Test-Fault") != null) {
                    throw new IllegalStateException("injected gateway fault");
                }
                return headers;
            };
        }
    }

    @Autowired
    CircuitBreakerRegistry circuitBreakers;

    /**
     * The breaker of a route id, reset to closed with no recorded calls. {@code path} (a GET the admin key may send,
     * answered 200) is called first so that the breaker exists with the gateway's configuration.
     */
    CircuitBreaker freshBreaker(String id, String path) throws IOException, InterruptedException {
        circuitBreakers.find(id).ifPresent(CircuitBreaker::reset);
        HttpResponse<String> warmUp = send(request(path, "a-key"));
        if (warmUp.statusCode() != 200) {
            throw new AssertionError("warm-up " + path + " answered " + warmUp.statusCode() + ": " + warmUp.body());
        }
        CircuitBreaker breaker = circuitBreakers.find(id).orElseThrow();
        breaker.reset();
        return breaker;
    }

    @LocalServerPort
    int port;

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(60));
    }

    HttpRequest.Builder request(String path, String apiKey) {
        return request(path).header("X-Api-Key", apiKey);
    }

    static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static void clearStubs() {
        INGEST.clear();
        CLEAN.clear();
        ANALYTICS.clear();
    }
}
