package io.tributary.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ResilienceTest extends GatewayTestSupport {

    @Test
    void shouldAnswer503QuicklyWhileAnalyticsIsDownAndRecoverWhenItReturns() throws Exception {
        ANALYTICS.stop();
        try {
            for (int i = 0; i < 2; i++) { // connection refused: fails fast, counted by the breaker
                long start = System.nanoTime();
                HttpResponse<String> response = send(request("/api/v1/jobs", "a-key"));
                assertThat(response.statusCode()).isEqualTo(503);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
                assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
                assertThat(response.body()).contains("https://tributary.dev/problems/upstream-unavailable")
                        .contains("\"service\":\"analytics-service\"").contains("\"retriable\":true")
                        .contains("\"instance\":\"/api/v1/jobs\"");
            }

            HttpResponse<String> open = send(request("/api/v1/jobs", "a-key"));

            assertThat(open.statusCode()).isEqualTo(503);
            assertThat(open.body()).contains("circuit breaker is open");
        } finally {
            ANALYTICS.start();
        }
        ANALYTICS.clear();

        // half-open after 1 s (automatic transition), closed again after 2 successful trial calls
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> send(request("/api/v1/jobs", "a-key")).statusCode() == 200);
        assertThat(send(request("/api/v1/jobs", "a-key")).statusCode()).isEqualTo(200);
        assertThat(ANALYTICS.take().path()).isEqualTo("/api/v1/jobs");
    }

    @Test
    void shouldKeepOtherRoutesWorkingWhileOneServiceIsDown() throws Exception {
        assertThat(send(request("/api/v1/topics", "a-key")).statusCode()).isEqualTo(200);
    }

    @Test
    void shouldAnswer504WhenTheUpstreamIsTooSlow() throws Exception {
        long start = System.nanoTime();

        HttpResponse<String> response = send(request("/api/v1/pipelines/slow?sleepMs=5000", "a-key"));

        assertThat(response.statusCode()).isEqualTo(504);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(4500));
        assertThat(response.body()).contains("https://tributary.dev/problems/upstream-timeout")
                .contains("stream-clean-service");
    }

    @Test
    void shouldRefuseADeclaredBodyOverTheLimitWith413() throws Exception {
        HttpResponse<String> response = send(request("/api/v1/topics/t/records", "p-key")
                .header("Content-Type", "application/x-ndjson").POST(BodyPublishers.ofString("x".repeat(5000))));

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).contains("https://tributary.dev/problems/payload-too-large")
                .contains("\"maxRequestBytes\":4096");
    }

    @Test
    void shouldCutAChunkedBodyOverTheLimitWith413() throws Exception {
        byte[] bytes = "x".repeat(50_000).getBytes();

        HttpResponse<String> response = send(request("/api/v1/topics/t/records", "p-key")
                .header("Content-Type", "application/x-ndjson")
                .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes))));

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).contains("payload-too-large");
    }
}
