package io.tributary.ingest.api;

import tools.jackson.databind.json.JsonMapper;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.context.annotation.Bean;
import org.springframework.boot.test.context.TestConfiguration;
import io.tributary.problem.ProblemType;
import java.net.http.HttpResponse;
import java.net.http.HttpClient;
import java.net.URI;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The error contract: every 4xx is application/problem+json with type, title, status, detail and
 * a boolean retriable, plus the fields that help; nothing the client sends produces a 500
 * ({@link Http#send} fails any 5xx).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ErrorContractHttpTest {

    private static final Path DATA = Http.tempDataDir("errors");
    private static final int MAX_REQUEST_BYTES = 4096;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("ingest.data-dir", DATA::toString);
        registry.add("ingest.produce.max-request-bytes", () -> MAX_REQUEST_BYTES);
    }

    @LocalServerPort
    int port;

    Http http;

    @BeforeEach
    void setUp() {
        http = new Http(port);
    }

    @BeforeAll
    void createTopic() {
        new Http(port).createTopic("errs", 2, Map.of());
        Http.Response r = new Http(port).produce("errs", "{\"records\":[{\"partition\":0,\"value\":1},{\"partition\":0,\"value\":2}]}");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
    }

    /** A test-only endpoint with a bug in it, next to the real API. */
    @TestConfiguration
    static class WithDeliberateBug {
        @Bean
        BugEndpoint bugEndpoint() {
            return new BugEndpoint();
        }
    }

    @RestController
    static class BugEndpoint {
        @GetMapping("/test-only/bug")
        String bug() {
            throw new IllegalStateException("deliberate-bug-internals");
        }
    }

    @Test
    void aBugIsA500ProblemWithTheRequestIdAndNothingOfTheFailure() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/test-only/bug")).header("X-Request-Id", "bug-1").build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).as(r.body()).isEqualTo(500);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = JsonMapper.builder().build().readTree(r.body());
        assertThat(problem.path("type").asString()).isEqualTo(ProblemType.INTERNAL_ERROR.uriString());
        assertThat(problem.path("requestId").asString()).isEqualTo("bug-1");
        assertThat(r.headers().firstValue("X-Request-Id")).hasValue("bug-1");
        assertThat(r.body()).doesNotContain("deliberate-bug-internals").doesNotContain("IllegalStateException")
                .doesNotContain("BugEndpoint").doesNotContain("\tat ");
    }

    /**
     * Refused before any controller runs: by Tomcat (an encoded '/', '\\' or NUL in the path, a request line over
     * the header size limit) or by Spring Security's firewall (an encoded '..'). Each is still a problem.
     */
    @Test
    void requestsRefusedBeforeTheControllersAreProblemsToo() throws Exception {
        for (String path : new String[] {"/api/v1/topics/%2F", "/api/v1/topics/a%5Cb", "/api/v1/topics/%00",
                "/api/v1/topics/errs?x=" + "y".repeat(20_000), "/api/v1/producers/%2E%2e/sequences?topic=errs"}) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type")).as(path).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/problem+json"));
            JsonNode problem = JsonMapper.builder().build().readTree(r.body());
            assertThat(problem.path("type").asString()).as(path).isEqualTo(ProblemType.INVALID_REQUEST.uriString());
            assertThat(problem.path("status").asInt()).as(path).isEqualTo(400);
            assertThat(r.body()).as(path).doesNotContain("<html").doesNotContainPattern("\\b(org|java)\\.[a-z]+\\.");
        }
    }

    @Test
    void unknownTopicsAndPartitionsAre404() {
        for (Http.Response r : new Http.Response[] {
            http.get("/api/v1/topics/nope"),
            http.produce("nope", "{\"records\":[{\"value\":1}]}"),
            http.fetch("nope", 0, 0, ""),
            http.get("/api/v1/topics/nope/partitions/0/offsets?at=earliest"),
            http.patchJson("/api/v1/topics/nope/configs", "{\"configs\":{\"retention.ms\":\"1000\"}}"),
            http.delete("/api/v1/topics/nope")}) {
            JsonNode problem = Http.assertProblem(r, 404, "unknown-topic");
            assertThat(problem.path("retriable").asBoolean()).isFalse();
        }
        Http.assertProblem(http.fetch("errs", 2, 0, ""), 404, "unknown-topic");
        Http.assertProblem(http.fetch("errs", -1, 0, ""), 404, "unknown-topic");
        Http.assertProblem(http.get("/api/v1/topics/errs/partitions/9/offsets?at=latest"), 404, "unknown-topic");
    }

    @Test
    void offsetOutOfRangeIs416WithTheLogBounds() {
        for (long offset : new long[] {3, 1000, -1}) {
            JsonNode problem = Http.assertProblem(http.fetch("errs", 0, offset, ""), 416, "offset-out-of-range");
            assertThat(problem.path("logStartOffset").asLong()).isZero();
            assertThat(problem.path("logEndOffset").asLong()).isEqualTo(2);
            assertThat(problem.path("logStartOffset").isNumber()).isTrue();
            assertThat(problem.path("logEndOffset").isNumber()).isTrue();
        }
        // The log end itself is a valid position: nothing yet, not an error.
        assertThat(http.fetch("errs", 0, 2, "").status()).isEqualTo(200);
    }

    private Http.Response createTopic(String json) {
        return http.postJson("/api/v1/topics", json);
    }

    @Test
    void badTopicNamesAre400AndDuplicatesAre409() {
        for (String name : new String[] {"", "x".repeat(250), "a/b", "a b", "ünï", "orders!", "a*", ".", ".."}) {
            Http.assertProblem(createTopic(Http.JSON.writeValueAsString(Map.of("name", name))), 400, "invalid-topic");
        }
        Http.assertProblem(createTopic("{\"name\":\"__internal\"}"), 400, "invalid-topic");
        Http.assertProblem(createTopic("{\"partitions\":1}"), 400, null);
        Http.assertProblem(createTopic("{\"name\":null}"), 400, null);
        assertThat(createTopic("{\"name\":\"" + "y".repeat(249) + "\"}").status()).as("249 characters are fine")
                .isEqualTo(201);
        assertThat(createTopic("{\"name\":\"ok.name_with-all.0-9\"}").status()).isEqualTo(201);
        JsonNode problem = Http.assertProblem(createTopic("{\"name\":\"errs\",\"partitions\":3}"), 409, "topic-exists");
        assertThat(problem.path("retriable").asBoolean()).isFalse();
    }

    @Test
    void badTopicSettingsAre400() {
        Http.assertProblem(createTopic("{\"name\":\"c1\",\"configs\":{\"retention.mss\":\"1\"}}"), 400, "invalid-config");
        Http.assertProblem(createTopic("{\"name\":\"c2\",\"configs\":{\"retention.ms\":\"soon\"}}"), 400, "invalid-config");
        Http.assertProblem(createTopic("{\"name\":\"c3\",\"configs\":{\"cleanup.policy\":\"shred\"}}"), 400, "invalid-config");
        Http.assertProblem(createTopic("{\"name\":\"c4\",\"configs\":{\"segment.bytes\":\"10\"}}"), 400, "invalid-config");
        Http.assertProblem(createTopic("{\"name\":\"c5\",\"configs\":{\"retention.ms\":null}}"), 400, "invalid-config");
        Http.assertProblem(createTopic("{\"name\":\"c6\",\"configs\":{\"cleanup.policy\":null}}"), 400, "invalid-config");
        Http.assertProblem(createTopic("{\"name\":\"c7\",\"partitions\":0}"), 400, null);
        Http.assertProblem(createTopic("{\"name\":\"c8\",\"partitions\":\"many\"}"), 400, null);
        Http.assertProblem(createTopic("{\"name\":\"c9\",\"replicationFactor\":2}"), 400, "invalid-topic");
        Http.assertProblem(createTopic("{\"name\":\"c10\",\"configs\":[\"a\"]}"), 400, null);
        for (int i = 1; i <= 10; i++) {
            Http.assertProblem(http.get("/api/v1/topics/c" + i), 404, "unknown-topic");
        }
        Http.assertProblem(http.patchJson("/api/v1/topics/errs/configs", "{\"configs\":{\"flush.ms\":\"-5\"}}"),
                400, "invalid-config");
        Http.assertProblem(http.patchJson("/api/v1/topics/errs/configs", "{\"configs\":{\"nonsense\":\"1\"}}"),
                400, "invalid-config");
        Http.assertProblem(http.patchJson("/api/v1/topics/errs/configs", "{\"configs\":{\"nonsense\":null}}"),
                400, "invalid-config");
        Http.assertProblem(http.patchJson("/api/v1/topics/errs/configs", "{}"), 400, null);
        Http.assertProblem(http.patchJson("/api/v1/topics/errs/configs", "{\"configs\":"), 400, null);
        assertThat(http.get("/api/v1/topics/errs").json().path("configs").size()).as("no change was kept").isZero();
    }

    @Test
    void malformedBodiesAre400() {
        var before = http.logEndOffsets("errs");
        Http.assertProblem(createTopic("{\"name\":"), 400, null);
        Http.assertProblem(createTopic("not json"), 400, null);
        for (String body : new String[] {"{\"records\":[", "[]", "{\"records\":[]}", "{\"records\":{}}", "{}",
            "{\"records\":[{\"value\":1}]} trailing", "{\"records\":[{\"value\":01}]}", "{\"records\":[{\"value\":nope}]}",
            "{\"records\":[1]}", "{\"records\":[{\"timestamp\":-5,\"value\":1}]}", "{\"records\":[{\"partition\":-1,\"value\":1}]}",
            "{\"records\":[{\"value\":1}],\"acks\":\"0\"}", "{\"records\":[{\"value\":1}],\"acks\":\"most\"}",
            "{\"records\":[{\"value\":1}],\"acks\":\"leader\"}", "{\"records\":[{\"value\":1}],\"acks\":\"1\"}",
            "{\"records\":[{\"value\":1}],\"producerId\":5}", "{\"records\":[{\"value\":1}],\"producerId\":-1,"
                    + "\"producerEpoch\":0,\"baseSequence\":0}", "{\"records\":[{\"value\":1}],\"bogus\":true}"}) {
            Http.assertProblem(http.produce("errs", body), 400, "invalid-request");
        }
        Http.assertProblem(http.send("POST", "/api/v1/topics/errs/records", "application/json", new byte[0], Map.of()),
                400, "invalid-request");
        Http.assertProblem(http.send("POST", "/api/v1/topics/errs/records?acks=none", "application/x-ndjson",
                "{\"value\":1}\n".getBytes(StandardCharsets.UTF_8), Map.of()), 400, "invalid-request");
        Http.assertProblem(http.send("POST", "/api/v1/topics/errs/records?acks=leader", "application/x-ndjson",
                "{\"value\":1}\n".getBytes(StandardCharsets.UTF_8), Map.of()), 400, "invalid-request");
        Http.assertProblem(http.send("POST", "/api/v1/topics/errs/records", "application/x-ndjson",
                "{\"value\":1}\n[1]\n".getBytes(StandardCharsets.UTF_8), Map.of()), 400, "invalid-request");
        assertThat(http.logEndOffsets("errs")).isEqualTo(before);
    }

    @Test
    void wrongContentTypeIs415AndUnknownPathsAre404() {
        var before = http.logEndOffsets("errs");
        Http.assertProblem(http.send("POST", "/api/v1/topics/errs/records", "text/plain",
                "{\"records\":[{\"value\":1}]}".getBytes(StandardCharsets.UTF_8), Map.of()), 415, "unsupported-media-type");
        Http.assertProblem(http.send("POST", "/api/v1/topics", "text/plain",
                "{\"name\":\"t415\"}".getBytes(StandardCharsets.UTF_8), Map.of()), 415, "unsupported-media-type");
        Http.assertProblem(http.send("POST", "/api/v1/topics/errs/records", null,
                "{\"records\":[{\"value\":1}]}".getBytes(StandardCharsets.UTF_8), Map.of()), 415, "unsupported-media-type");
        Http.assertProblem(http.get("/api/v1/nothing-here"), 404, "not-found");
        Http.assertProblem(http.get("/nothing/here"), 404, "not-found");
        Http.assertProblem(http.get("/api/v1/topics/errs/partitions/0/nothing"), 404, "not-found");
        Http.assertProblem(http.send("PUT", "/api/v1/topics", "application/json", "{}".getBytes(StandardCharsets.UTF_8),
                Map.of()), 405, "method-not-allowed");
        assertThat(http.logEndOffsets("errs")).isEqualTo(before);
    }

    @Test
    void badQueryParametersAre400() {
        for (String query : new String[] {"offset=0&maxRecords=0", "offset=0&maxRecords=-3", "offset=0&maxRecords=abc",
            "offset=0&maxRecords=100001", "offset=0&maxWaitMs=-1", "offset=0&maxWaitMs=soon", "offset=abc",
            "offset=", "maxRecords=10", "offset=0&maxBytes=0", "offset=0&maxBytes=999999999999"}) {
            Http.assertProblem(http.get("/api/v1/topics/errs/partitions/0/records?" + query), 400, "invalid-request");
        }
        Http.assertProblem(http.get("/api/v1/topics/errs/partitions/zero/records?offset=0"), 400, "invalid-request");
        Http.assertProblem(http.get("/api/v1/topics/errs/partitions/0/offsets?at=yesterday"), 400, "invalid-request");
        Http.assertProblem(http.get("/api/v1/topics/errs/partitions/0/offsets?at=-5"), 400, "invalid-request");
        Http.assertProblem(http.send("POST", "/api/v1/topics/errs/records?producerId=abc", "application/x-ndjson",
                "{\"value\":1}\n".getBytes(StandardCharsets.UTF_8), Map.of()), 400, "invalid-request");
    }

    @Test
    void oversizedBodiesAre413() {
        var start = http.logEndOffsets("errs");
        String big = "{\"records\":[{\"value\":\"" + "x".repeat(3 * MAX_REQUEST_BYTES) + "\"}]}";
        JsonNode problem = Http.assertProblem(http.produce("errs", big), 413, "record-too-large");
        assertThat(problem.path("retriable").asBoolean()).isFalse();

        // Without a Content-Length (chunked), the limit is found while reading.
        for (int size : new int[] {MAX_REQUEST_BYTES + 10, 3 * MAX_REQUEST_BYTES, 200 * 1024}) {
            String body = "{\"records\":[{\"value\":\"" + "y".repeat(size) + "\"}]}";
            HttpRequest chunked = http.request("/api/v1/topics/errs/records")
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(
                            () -> new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8))))
                    .build();
            Http.assertProblem(http.send(chunked), 413, "record-too-large");
        }
        assertThat(http.logEndOffsets("errs")).as("nothing of an oversized body is written").isEqualTo(start);
        // A body just under the limit, chunked, is fine.
        String fits = "{\"records\":[{\"partition\":1,\"value\":\"" + "z".repeat(MAX_REQUEST_BYTES - 100) + "\"}]}";
        HttpRequest chunked = http.request("/api/v1/topics/errs/records")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(fits.getBytes(StandardCharsets.UTF_8))))
                .build();
        var before = http.logEndOffsets("errs");
        Http.Response ok = http.send(chunked);
        assertThat(ok.status()).as(ok.text()).isEqualTo(200);
        assertThat(http.logEndOffsets("errs")).containsExactly(before.get(0), before.get(1) + 1);
    }
}
