package io.tributary.ingest.api;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Node-wide caps (issue 10): partitions, producer names, consumer groups, parked long polls. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class NodeLimitsHttpTest {

    private static final Path DATA = Http.tempDataDir("node-limits");

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry registry) {
        registry.add("ingest.data-dir", DATA::toString);
        registry.add("ingest.limits.max-partitions", () -> 40);
        registry.add("ingest.limits.max-partitions-per-topic", () -> 30);
        registry.add("ingest.limits.max-producer-names", () -> 3);
        registry.add("ingest.limits.max-groups", () -> 3);
        registry.add("ingest.limits.max-parked-fetches", () -> 1);
    }

    @LocalServerPort
    int port;

    Http http;

    @BeforeEach
    void setUp() {
        http = new Http(port);
    }

    private double metric(String name) {
        Http.Response r = http.get("/actuator/metrics/" + name);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.json().path("measurements").get(0).path("value").asDouble();
    }

    private Http.Response create(String name, int partitions) {
        return http.postJson("/api/v1/topics", "{\"name\":\"" + name + "\",\"partitions\":" + partitions + "}");
    }

    @Test
    void partitionsAreCappedPerTopicAndPerNode() {
        JsonNode perTopic = Http.assertProblem(create("caps.wide", 31), 400, "invalid-topic");
        assertThat(perTopic.path("detail").asString()).contains("ingest.limits.max-partitions-per-topic");
        assertThat(create("caps.first", 30).status()).isEqualTo(201);
        JsonNode node = Http.assertProblem(create("caps.second", 30), 422, "limit-reached");
        assertThat(node.path("detail").asString()).contains("ingest.limits.max-partitions");
        assertThat(node.path("retriable").asBoolean()).isFalse();
        assertThat(http.get("/api/v1/topics/caps.second").status()).isEqualTo(404);
        assertThat(metric("ingest.partitions")).isGreaterThanOrEqualTo(30);
        assertThat(create("caps.small", 1).status()).isEqualTo(201);
    }

    @Test
    void producerNamesAreCapped() {
        for (int i = 0; i < 3; i++) {
            assertThat(http.postJson("/api/v1/producers", "{\"name\":\"p" + i + "\"}").status()).isEqualTo(200);
        }
        // A known name is re-initialised; an anonymous producer needs no name slot.
        assertThat(http.postJson("/api/v1/producers", "{\"name\":\"p0\"}").status()).isEqualTo(200);
        assertThat(http.postJson("/api/v1/producers", "{}").status()).isEqualTo(200);
        JsonNode problem = Http.assertProblem(http.postJson("/api/v1/producers", "{\"name\":\"p3\"}"), 422,
                "limit-reached");
        assertThat(problem.path("detail").asString()).contains("ingest.limits.max-producer-names");
        assertThat(metric("ingest.producer.names")).isEqualTo(3);
    }

    private Http.Response join(String group) {
        return http.postJson("/api/v1/groups/" + group + "/members",
                "{\"topics\":[\"caps.groups\"],\"sessionTimeoutMs\":10000}");
    }

    @Test
    void consumerGroupsAreCappedAndALeftGroupLosesItsMetricSeries() throws Exception {
        http.createTopic("caps.groups", 1, Map.of());
        String[] members = new String[3];
        for (int i = 0; i < 3; i++) {
            Http.Response r = join("g" + i);
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            members[i] = r.json().path("memberId").asString();
        }
        // A 503 (Http.send refuses any 5xx, so sent here directly).
        HttpResponse<byte[]> refused = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(http.base()
                        + "/api/v1/groups/g3/members")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"topics\":[\"caps.groups\"],\"sessionTimeoutMs\":10000}"))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        JsonNode problem = Http.assertProblem(new Http.Response(refused.statusCode(),
                refused.headers().firstValue("Content-Type").orElse(null), refused.body()), 503, "capacity-exceeded");
        assertThat(problem.path("retriable").asBoolean()).isTrue();
        assertThat(problem.path("detail").asString()).contains("ingest.limits.max-groups");
        assertThat(metric("ingest.groups")).isEqualTo(3);

        // A group whose last member leaves (nothing committed) is forgotten with its series, freeing a slot.
        assertThat(http.delete("/api/v1/groups/g0/members/" + members[0]).status()).isLessThan(300);
        Http.Response series = http.get("/actuator/metrics/ingest.group.members?tag=group:g0");
        assertThat(series.status()).isEqualTo(404);
        assertThat(join("g3").status()).isEqualTo(200);
    }

    @Test
    void overTheParkedFetchLimitAFetchAnswersAtOnceWithWhatIsThere() throws Exception {
        http.createTopic("caps.poll", 1, Map.of());
        HttpClient client = HttpClient.newHttpClient();
        CompletableFuture<HttpResponse<String>> parked = client.sendAsync(HttpRequest.newBuilder(URI.create(
                        http.base() + "/api/v1/topics/caps.poll/partitions/0/records?offset=0&maxWaitMs=25000"))
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(20)).until(() -> metric("ingest.fetch.parked") == 1);

        Http.Response second = http.fetch("caps.poll", 0, 0, "maxWaitMs=25000");
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.json().path("records")).isEmpty();
        assertThat(parked).as("the first poll is still parked").isNotDone();
        assertThat(metric("ingest.fetch.parked.refused")).isEqualTo(1);

        assertThat(http.produce("caps.poll", "{\"records\":[{\"value\":1}]}").status()).isEqualTo(200);
        HttpResponse<String> first = parked.get();
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).contains("\"value\":1");
    }
}
