package io.tributary.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP client behind every proxied call (config/UpstreamClientConfig) behaves as a proxy's must: it keeps no
 * cookies between callers, passes encoded answers through as they are, and holds as many calls in flight to one
 * service as that service's concurrency limit admits.
 */
class UpstreamClientTest extends GatewayTestSupport {

    @BeforeEach
    void clear() {
        clearStubs();
    }

    @Test
    void shouldNeverSendOneCallersCookiesToTheServiceOnAnothersRequest() throws Exception {
        HttpResponse<String> first = send(request("/api/v1/jobs/j1/cookie", "a-key"));
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("Set-Cookie")).hasValue("session=analytics-secret; Path=/");
        ANALYTICS.take();

        assertThat(send(request("/api/v1/jobs/j2", "c-key")).statusCode()).isEqualTo(200);

        assertThat(ANALYTICS.take().header("Cookie")).isNull();
    }

    @Test
    void shouldPassACompressedAnswerThroughAsTheServiceSentIt() throws Exception {
        HttpResponse<byte[]> response = HTTP.send(request("/api/v1/jobs/j1/gzip", "a-key")
                .header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofByteArray());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Encoding")).hasValue("gzip");
        try (GZIPInputStream body = new GZIPInputStream(new ByteArrayInputStream(response.body()))) {
            assertThat(new String(body.readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("{\"upstream\":\"analytics\",\"path\":\"/api/v1/jobs/j1/gzip\"}");
        }
        assertThat(ANALYTICS.take().header("Accept-Encoding")).isEqualTo("gzip");
    }

    @Test
    void shouldHoldAsManyCallsToOneServiceInFlightAsItsLimitAdmits() throws Exception {
        // analytics admits 50 calls at once in the tests; a client pool of the library's default (5 per service)
        // would make the sixth wait for a connection instead of reaching the service
        int calls = 12;
        List<CompletableFuture<HttpResponse<String>>> parked = new ArrayList<>();
        try {
            for (int i = 0; i < calls; i++) {
                parked.add(HTTP.sendAsync(request("/api/v1/jobs/j" + i + "/park", "c-key").build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> ANALYTICS.parked() == calls);
        } finally {
            ANALYTICS.releaseParked();
        }
        for (CompletableFuture<HttpResponse<String>> f : parked) {
            assertThat(f.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
    }
}
