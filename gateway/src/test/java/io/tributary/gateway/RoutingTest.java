package io.tributary.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class RoutingTest extends GatewayTestSupport {

    @BeforeEach
    void clear() {
        clearStubs();
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
            "GET,    /api/v1/topics,                                   ingest",
            "POST,   /api/v1/topics,                                   ingest",
            "GET,    /api/v1/topics/raw.orders,                        ingest",
            "DELETE, /api/v1/topics/raw.orders,                        ingest",
            "GET,    /api/v1/topics/raw.orders/partitions/0/records,   ingest",
            "GET,    /api/v1/groups,                                   ingest",
            "POST,   /api/v1/groups/g1/members,                        ingest",
            "POST,   /api/v1/producers,                                ingest",
            "GET,    /api/v1/acls,                                     ingest",
            "DELETE, /api/v1/acls,                                     ingest",
            "GET,    /api/v1/cluster,                                  ingest",
            "POST,   /api/v1/cluster/reassignments,                    ingest",
            "GET,    /api/v1/pipelines,                                clean",
            "PUT,    /api/v1/pipelines/orders,                         clean",
            "GET,    /api/v1/reference-tables,                         clean",
            "POST,   /api/v1/reference-tables/countries/rows,          clean",
            "GET,    /api/v1/jobs,                                     analytics",
            "GET,    /api/v1/jobs/j1/results,                          analytics",
    })
    void shouldRouteEveryPrefixToItsService(String method, String path, String service) throws Exception {
        HttpResponse<String> response = send(request(path, "a-key").method(method, BodyPublishers.ofString("{}"))
                .header("Content-Type", "application/json"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Upstream")).hasValue(service);
        UpstreamStub stub = switch (service) {
            case "ingest" -> INGEST;
            case "clean" -> CLEAN;
            default -> ANALYTICS;
        };
        UpstreamStub.Received received = stub.take();
        assertThat(received.method()).isEqualTo(method);
        assertThat(received.path()).isEqualTo(path);
    }

    @Test
    void shouldAnswer404ForPathsOutsideTheApi() throws Exception {
        assertThat(send(request("/api/v1/unknown", "a-key")).statusCode()).isEqualTo(404);
    }

    @Test
    void shouldPassQueryStringsOfLongPollFetchesThrough() throws Exception {
        HttpResponse<String> response = send(request(
                "/api/v1/topics/raw.orders/partitions/2/records?offset=42&maxRecords=10&maxWaitMs=30000", "c-key"));

        assertThat(response.statusCode()).isEqualTo(200);
        // the gateway rebuilds the query string from the parameters: same parameters, possibly another order
        assertThat(INGEST.take().query().split("&"))
                .containsExactlyInAnyOrder("offset=42", "maxRecords=10", "maxWaitMs=30000");
    }

    @Test
    void shouldWaitForASlowLongPollLongerThanOtherRoutesWouldAllow() throws Exception {
        // clean's time limit is 2 s in this test; ingest keeps the default 40 s that covers a 30 s long-poll
        HttpResponse<String> response = send(request("/api/v1/groups/g1/members/m1/slow?sleepMs=3000", "c-key"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"upstream\":\"ingest\"");
    }

    @Test
    void shouldPassNdjsonBodiesThroughByteForByte() throws Exception {
        String ndjson = "{\"key\":\"u1\",\"value\":{\"a\":1}}\n{\"key\":\"u2\",\"value\":[1,2,3]}\n";

        HttpResponse<String> response = send(request("/api/v1/topics/raw.orders/records", "p-key")
                .header("Content-Type", "application/x-ndjson").POST(BodyPublishers.ofString(ndjson)));

        assertThat(response.statusCode()).isEqualTo(200);
        UpstreamStub.Received received = INGEST.take();
        assertThat(received.header("Content-Type")).isEqualTo("application/x-ndjson");
        assertThat(received.bodyText()).isEqualTo(ndjson);
    }

    @Test
    void shouldStreamChunkedBodiesThrough() throws Exception {
        String ndjson = "{\"key\":\"k\",\"value\":1}\n".repeat(100); // 2,200 bytes, under the 4 KB test limit
        byte[] bytes = ndjson.getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> response = send(request("/api/v1/topics/raw.orders/records", "p-key")
                .header("Content-Type", "application/x-ndjson")
                .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes))));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(INGEST.take().bodyText()).isEqualTo(ndjson);
    }

    @Test
    void shouldNotForwardTheApiKey() throws Exception {
        send(request("/api/v1/topics", "a-key"));

        assertThat(INGEST.take().header("X-Api-Key")).isNull();
    }
}
