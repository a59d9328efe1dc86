package io.tributary.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway is the edge: whatever forwarding headers a caller sends are dropped, and the services get only the
 * gateway's own view of the request (docs/gateway.md, "Forwarded headers").
 */
class ForwardedHeadersTest extends GatewayTestSupport {

    @BeforeEach
    void clear() {
        clearStubs();
    }

    @Test
    void shouldIgnoreAForwardedHeaderWithoutForAndKeepTheBreakerClosed() throws Exception {
        CircuitBreaker breaker = freshBreaker("ingest", "/api/v1/topics");
        clearStubs();

        // more requests than the breaker needs to open (2 in the tests; a NullPointerException in the gateway
        // used to be counted against ingest and opened it for everyone)
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> response = send(request("/ingest/v3/api-docs").header("Forwarded", "proto=https"));

            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            UpstreamStub.Received received = INGEST.take();
            assertThat(received.header("Forwarded")).isNull();
            assertThat(received.header("X-Forwarded-Proto")).isEqualTo("http");
        }
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isZero();
    }

    @Test
    void shouldIgnoreMalformedForwardedHeaders() throws Exception {
        for (String value : new String[] {"for", "=;=;,", "for=\"[::1", "proto=https;host", ";;;"}) {
            HttpResponse<String> response = send(request("/api/v1/topics", "a-key").header("Forwarded", value));

            assertThat(response.statusCode()).as(value).isEqualTo(200);
            assertThat(INGEST.take().header("Forwarded")).isNull();
        }
    }

    @Test
    void shouldReplaceTheCallersForwardingHeadersWithItsOwn() throws Exception {
        HttpResponse<String> response = send(request("/api/v1/topics", "a-key")
                .header("X-Forwarded-Prefix", "/evil")
                .header("X-Forwarded-Host", "evil.example")
                .header("X-Forwarded-Proto", "https")
                .header("X-Forwarded-Port", "444")
                .header("X-Forwarded-For", "6.6.6.6")
                .header("X-Forwarded-Ssl", "on")
                .header("Forwarded", "for=6.6.6.6;host=evil.example;proto=https"));

        assertThat(response.statusCode()).isEqualTo(200);
        UpstreamStub.Received received = INGEST.take();
        assertThat(received.header("X-Forwarded-Prefix")).isNull();
        assertThat(received.header("X-Forwarded-Ssl")).isNull();
        assertThat(received.header("Forwarded")).isNull();
        assertThat(received.header("X-Forwarded-Host")).isEqualTo("127.0.0.1:" + port);
        assertThat(received.header("X-Forwarded-Proto")).isEqualTo("http");
        assertThat(received.header("X-Forwarded-Port")).isEqualTo(Integer.toString(port));
        assertThat(received.header("X-Forwarded-For")).isEqualTo("127.0.0.1");
    }

    @Test
    void shouldGiveTheServicesTheGatewaysAddressForTheirOpenApiServers() throws Exception {
        HttpResponse<String> response = send(request("/analytics/v3/api-docs")
                .header("X-Forwarded-Host", "evil.example").header("X-Forwarded-Prefix", "/evil"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"url\":\"http://127.0.0.1:" + port + "\"").doesNotContain("evil");
    }
}
