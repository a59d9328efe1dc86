package io.tributary.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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

    @Test
    void shouldNotCountTheGatewaysOwnErrorsAgainstTheUpstream() throws Exception {
        CircuitBreaker breaker = freshBreaker("analytics", "/api/v1/jobs");

        for (int i = 0; i < 4; i++) { // twice what opens the breaker in these tests
            HttpResponse<String> response = send(request("/api/v1/jobs", "a-key").header("X-Test-Fault", "yes"));

            assertThat(response.statusCode()).as(response.body()).isEqualTo(500);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(response.body()).contains("https://tributary.dev/problems/gateway-error")
                    .contains("\"retriable\":false").doesNotContain("injected");
        }

        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isZero();
        assertThat(send(request("/api/v1/jobs", "a-key")).statusCode()).isEqualTo(200);
    }

    @Test
    void shouldNotCountASlowUploadAgainstTheUpstream() throws Exception {
        // clean's time limit is 2 s in the tests; the client sends one byte every 1.5 s
        CircuitBreaker breaker = freshBreaker("clean", "/api/v1/pipelines");

        for (int i = 0; i < 3; i++) {
            assertThat(slowUpload("/api/v1/pipelines", 40, 1500)).startsWith("HTTP/1.1 408");
        }

        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isZero();
        assertThat(send(request("/api/v1/pipelines", "a-key")).statusCode()).isEqualTo(200);
    }

    /** POSTs {@code length} bytes, one every {@code gapMs}, and returns the status line once it arrives. */
    private String slowUpload(String path, int length, long gapMs) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nX-Api-Key: a-key\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread trickle = new Thread(() -> {
                try {
                    for (int b = 0; b < length; b++) {
                        out.write(' ');
                        out.flush();
                        Thread.sleep(gapMs);
                    }
                } catch (Exception e) {
                    // the gateway answered and closed, or the test is over
                }
            });
            trickle.setDaemon(true);
            trickle.start();
            try {
                BufferedReader in = new BufferedReader(
                        new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
                return in.readLine();
            } finally {
                trickle.interrupt();
            }
        }
    }

    @Test
    void shouldAnswerPlainRequestsWhileLongPollsAreParkedAndRecoverFromABurst() throws Exception {
        // at most 4 concurrent calls to ingest in the tests
        CircuitBreaker breaker = freshBreaker("ingest", "/api/v1/topics");
        List<CompletableFuture<HttpResponse<String>>> parked = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                parked.add(HTTP.sendAsync(request("/api/v1/groups/g/park", "c-key").build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> INGEST.parked() == 3);

            // a plain request still gets through while three long polls wait
            HttpResponse<String> plain = HTTP.send(request("/api/v1/topics", "a-key")
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(plain.statusCode()).isEqualTo(200);
            assertThat(parked).noneMatch(CompletableFuture::isDone);

            // a burst beyond the limit: one more fits, the rest is refused at once, nothing is queued
            List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                burst.add(HTTP.sendAsync(request("/api/v1/groups/g/park", "c-key").build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> burst.stream().filter(CompletableFuture::isDone)
                    .count() == 5 && INGEST.parked() == 4);
            for (CompletableFuture<HttpResponse<String>> f : burst) {
                if (f.isDone()) {
                    HttpResponse<String> busy = f.get();
                    assertThat(busy.statusCode()).isEqualTo(503);
                    assertThat(busy.headers().firstValue("Content-Type")).hasValue("application/problem+json");
                    assertThat(busy.headers().firstValue("Retry-After")).isPresent();
                    assertThat(busy.body()).contains("https://tributary.dev/problems/gateway-busy")
                            .contains("\"retriable\":true").contains("\"service\":\"ingest-service\"");
                } else {
                    parked.add(f);
                }
            }
        } finally {
            INGEST.releaseParked();
        }
        for (CompletableFuture<HttpResponse<String>> f : parked) {
            assertThat(f.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }

        HttpResponse<String> metric = send(request(
                "/actuator/metrics/gateway.fallbacks?tag=service:ingest-service&tag=problem:gateway-busy", "a-key"));
        assertThat(metric.statusCode()).isEqualTo(200);
        assertThat(metric.body()).contains("\"statistic\":\"COUNT\"");

        // the route serves again by itself; refusals were not the upstream's failures
        assertThat(send(request("/api/v1/topics", "a-key")).statusCode()).isEqualTo(200);
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isZero();
    }
}
