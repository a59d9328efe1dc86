package io.tributary.ingest.api;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.tributary.client.ClientSettings;
import io.tributary.client.FetchOptions;
import io.tributary.client.FetchResult;
import io.tributary.client.IngestClient;
import io.tributary.client.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Produce-time limits (issue 10): record count per request, one nesting limit for record values
 * on every produce path, and record timestamps within a window around the broker's clock.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ProduceLimitsHttpTest {

    private static final Path DATA = Http.tempDataDir("produce-limits");
    private static final int MAX_RECORDS = 100;
    private static final int DEPTH = 100; // the default of ingest.produce.max-value-depth
    private static final int MAX_BYTES = 1 << 20;

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry registry) {
        registry.add("ingest.data-dir", DATA::toString);
        registry.add("ingest.produce.max-records-per-request", () -> MAX_RECORDS);
        registry.add("ingest.produce.max-request-bytes", () -> MAX_BYTES);
    }

    @LocalServerPort
    int port;

    Http http;

    @BeforeEach
    void setUp() {
        http = new Http(port);
    }

    private static String records(int n) {
        StringBuilder b = new StringBuilder("{\"records\":[");
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append("{}");
        }
        return b.append("]}").toString();
    }

    private Http.Response ndjson(String topic, String body) {
        return http.send("POST", "/api/v1/topics/" + topic + "/records", "application/x-ndjson",
                body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    @Test
    void aRequestWithMoreRecordsThanTheLimitIsRefusedWhileParsing() {
        http.createTopic("limits.count", 1, Map.of());
        assertThat(http.produce("limits.count", records(MAX_RECORDS)).status()).isEqualTo(200);

        JsonNode problem = Http.assertProblem(http.produce("limits.count", records(MAX_RECORDS + 1)), 413,
                "record-too-large");
        assertThat(problem.path("detail").asString()).contains("more than " + MAX_RECORDS + " records")
                .contains("ingest.produce.max-records-per-request");
        assertThat(problem.path("retriable").asBoolean()).isFalse();

        // The same for NDJSON, and far past the limit (the parser stops at the first record too many).
        Http.Response nd = ndjson("limits.count", "{}\n".repeat(200_000));
        Http.assertProblem(nd, 413, "record-too-large");
        assertThat(http.logEndOffsets("limits.count")).containsExactly((long) MAX_RECORDS);
    }

    @Test
    void anEndlessBodyIsCutOffAtTheByteLimitNotReadWhole() throws Exception {
        http.createTopic("limits.bytes", 1, Map.of());
        // 4 GiB of records if read to the end, without a Content-Length (chunked): only counting while
        // reading can stop it. Tomcat may swallow up to server.tomcat.max-swallow-size (64 MB) more
        // before closing the connection, so "not proportional" is: far below what was on offer.
        long offered = 4L << 30;
        java.util.concurrent.atomic.AtomicLong read = new java.util.concurrent.atomic.AtomicLong();
        byte[] head = "{\"records\":[{}".getBytes(StandardCharsets.US_ASCII);
        java.io.InputStream endless = new java.io.InputStream() {
            @Override
            public int read() {
                long n = read.getAndIncrement();
                return n >= offered ? -1 : n < head.length ? head[(int) n] : ",{}".charAt((int) ((n - head.length) % 3));
            }

            @Override
            public int read(byte[] b, int off, int len) {
                int i = 0;
                for (; i < len; i++) {
                    int c = read();
                    if (c < 0) {
                        return i == 0 ? -1 : i;
                    }
                    b[off + i] = (byte) c;
                }
                return i;
            }
        };
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(http.base()
                        + "/api/v1/topics/limits.bytes/records")).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> endless)).build();
        int status;
        String body;
        try {
            java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(request,
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            status = r.statusCode();
            body = r.body();
        } catch (java.io.IOException e) {
            // The server may close the connection while the client is still sending: no answer to read
            // then; what matters is that it stopped reading (asserted below).
            status = -1;
            body = "connection closed: " + e;
        }
        assertThat(status).as(body).isIn(413, -1);
        assertThat(read.get()).as("bytes taken from a %d-byte body", offered).isLessThan(256L << 20);
        assertThat(http.logEndOffsets("limits.bytes")).containsExactly(0L);
    }

    private static String nested(int depth) {
        return "[".repeat(depth - 1) + "{\"a\":1}" + "]".repeat(depth - 1);
    }

    @Test
    void oneNestingLimitOnEveryProducePathAndTheDeepestAcceptedValueCanBeReadBack() {
        http.createTopic("limits.depth", 1, Map.of());
        // Too deep by one, as a JSON body and as NDJSON: 400 invalid-record naming the record.
        JsonNode json = Http.assertProblem(http.produce("limits.depth",
                "{\"records\":[{\"value\":1},{\"value\":" + nested(DEPTH + 1) + "}]}"), 400, "invalid-record");
        assertThat(json.path("detail").asString()).contains("records[1].value").contains("ingest.produce.max-value-depth");
        JsonNode nd = Http.assertProblem(ndjson("limits.depth",
                "{\"value\":1}\n{\"value\":" + nested(DEPTH + 1) + "}\n"), 400, "invalid-record");
        assertThat(nd.path("detail").asString()).contains("line 2").contains("ingest.produce.max-value-depth");
        // 498 deep used to pass NDJSON and then break every reader.
        Http.assertProblem(ndjson("limits.depth", "{\"value\":" + nested(498) + "}\n"), 400, "invalid-record");
        assertThat(http.logEndOffsets("limits.depth")).containsExactly(0L);

        // The deepest accepted value, on both paths, is read back whole by ingest-client.
        assertThat(http.produce("limits.depth", "{\"records\":[{\"value\":" + nested(DEPTH) + "}]}").status())
                .isEqualTo(200);
        assertThat(ndjson("limits.depth", "{\"value\":" + nested(DEPTH) + "}\n").status()).isEqualTo(200);
        try (IngestClient client = IngestClient.create(ClientSettings.of(http.base()))) {
            FetchResult fetched = client.fetch(new TopicPartition("limits.depth", 0), 0,
                    FetchOptions.defaults().withMaxWait(Duration.ZERO));
            assertThat(fetched.records()).hasSize(2);
            for (var record : fetched.records()) {
                assertThat(record.value().toString()).isEqualTo(nested(DEPTH));
            }
        }
    }

    @Test
    void recordTimestampsOutsideTheWindowAroundTheBrokerClockAreRefused() {
        http.createTopic("limits.ts", 1, Map.of());
        long now = System.currentTimeMillis();
        JsonNode farFuture = Http.assertProblem(http.produce("limits.ts",
                "{\"records\":[{\"value\":1},{\"value\":2,\"timestamp\":9000000000000000000}]}"), 400, "invalid-record");
        assertThat(farFuture.path("detail").asString()).contains("records[1].timestamp")
                .contains("ingest.produce.max-timestamp-ahead");
        long twoHoursAhead = now + Duration.ofHours(2).toMillis();
        Http.assertProblem(ndjson("limits.ts", "{\"value\":1,\"timestamp\":" + twoHoursAhead + "}\n"), 400,
                "invalid-record");
        Http.assertProblem(http.produce("limits.ts", "{\"records\":[{\"value\":1,\"timestamp\":-5}]}"), 400, null);
        assertThat(http.logEndOffsets("limits.ts")).containsExactly(0L);

        // Within the window (and old timestamps: by default there is no limit into the past, as in Kafka).
        Http.Response ok = http.produce("limits.ts", "{\"records\":[{\"value\":1,\"timestamp\":" + (now + 60_000)
                + "},{\"value\":2,\"timestamp\":1000},{\"value\":3}]}");
        assertThat(ok.status()).as(ok.text()).isEqualTo(200);
        List<Long> stamps = http.readAll("limits.ts", 0).stream().map(r -> r.path("timestamp").asLong()).toList();
        assertThat(stamps).hasSize(3).startsWith(now + 60_000, 1000L);
    }
}
