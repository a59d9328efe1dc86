package io.tributary.ingest.api;

import java.util.Arrays;
import java.util.ArrayList;
import io.tributary.problem.ProblemType;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.tributary.client.ClientSettings;
import io.tributary.client.IngestClient;
import io.tributary.client.IngestException;
import io.tributary.client.NewTopic;
import io.tributary.client.OffsetSpec;
import io.tributary.client.PartitionDetails;
import io.tributary.client.ProblemKind;
import io.tributary.client.TopicDescription;
import io.tributary.client.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Topic administration, offset lookups, the OpenAPI document and the actuator endpoints. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class TopicAdminHttpTest {

    private static final Path DATA = Http.tempDataDir("admin");

    @DynamicPropertySource
    static void dataDir(DynamicPropertyRegistry registry) {
        registry.add("ingest.data-dir", DATA::toString);
    }

    @LocalServerPort
    int port;

    Http http;
    IngestClient client;

    @BeforeEach
    void setUp() {
        http = new Http(port);
        client = IngestClient.create(ClientSettings.of(http.base()));
    }

    @AfterEach
    void tearDown() {
        client.close();
    }

    @Test
    void createDescribeListPatchAndDeleteTopics() {
        TopicDescription created = client.createTopic(new NewTopic("admin.orders", 4, 1,
                Map.of("retention.ms", "3600000", "flush.messages", "1")));
        assertThat(created.name()).isEqualTo("admin.orders");
        assertThat(created.partitions()).isEqualTo(4);
        assertThat(created.replicationFactor()).isEqualTo(1);
        assertThat(created.configs()).containsExactlyInAnyOrderEntriesOf(
                Map.of("retention.ms", "3600000", "flush.messages", "1"));
        assertThat(created.partitionDetails()).hasSize(4);
        for (PartitionDetails p : created.partitionDetails()) {
            assertThat(p.leader()).isEqualTo("1");
            assertThat(p.replicas()).containsExactly("1");
            assertThat(p.inSyncReplicas()).containsExactly("1");
            assertThat(p.logStartOffset()).isZero();
            assertThat(p.highWatermark()).isZero();
            assertThat(p.logEndOffset()).isZero();
        }
        client.createTopic(new NewTopic("admin.defaults", 1, 1));
        assertThatThrownBy(() -> client.createTopic(new NewTopic("admin.orders", 1, 1)))
                .isInstanceOfSatisfying(IngestException.class, e -> assertThat(e.kind()).isEqualTo(ProblemKind.CONFLICT));

        assertThat(client.listTopics()).extracting(TopicDescription::name).contains("admin.orders", "admin.defaults");

        Http.Response r = http.produce("admin.orders",
                "{\"records\":[{\"partition\":2,\"value\":1},{\"partition\":2,\"value\":2},{\"partition\":3,\"value\":3}]}");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        TopicDescription described = client.describeTopic("admin.orders");
        assertThat(described.partitionDetails()).extracting(PartitionDetails::logEndOffset).containsExactly(0L, 0L, 2L, 1L);
        assertThat(described.partitionDetails()).extracting(PartitionDetails::highWatermark).containsExactly(0L, 0L, 2L, 1L);

        JsonNode raw = http.get("/api/v1/topics/admin.orders").json();
        // The client's TopicDescription reads the service's topicId (one definition per side).
        assertThat(described.topicId()).isNotBlank().isEqualTo(raw.path("topicId").asString())
                .isEqualTo(created.topicId());
        assertThat(raw.path("effectiveConfigs").path("retention.ms").asString()).isEqualTo("3600000");
        assertThat(raw.path("effectiveConfigs").path("cleanup.policy").asString()).isEqualTo("delete");
        String defaultRetention = http.get("/api/v1/topics/admin.defaults").json()
                .path("effectiveConfigs").path("retention.ms").asString();

        // Change one key, add one, reset one with null.
        Map<String, String> change = new HashMap<>();
        change.put("retention.ms", null);
        change.put("segment.bytes", "1048576");
        client.updateTopicConfigs("admin.orders", change);
        TopicDescription patched = client.describeTopic("admin.orders");
        assertThat(patched.configs()).containsExactlyInAnyOrderEntriesOf(
                Map.of("segment.bytes", "1048576", "flush.messages", "1"));
        raw = http.get("/api/v1/topics/admin.orders").json();
        assertThat(raw.path("effectiveConfigs").path("retention.ms").asString())
                .as("a null value resets the key to its default").isEqualTo(defaultRetention);
        assertThat(raw.path("effectiveConfigs").path("segment.bytes").asString()).isEqualTo("1048576");
        Http.Response patchedRaw = http.patchJson("/api/v1/topics/admin.orders/configs",
                "{\"configs\":{\"flush.messages\":null}}");
        assertThat(patchedRaw.status()).as(patchedRaw.text()).isEqualTo(200);
        assertThat(patchedRaw.json().path("configs").size()).isEqualTo(1);

        Http.Response deleted = http.delete("/api/v1/topics/admin.orders");
        assertThat(deleted.status()).isEqualTo(204);
        assertThatThrownBy(() -> client.describeTopic("admin.orders"))
                .isInstanceOfSatisfying(IngestException.class, e -> assertThat(e.kind()).isEqualTo(ProblemKind.NOT_FOUND));
        assertThat(client.listTopics()).extracting(TopicDescription::name).doesNotContain("admin.orders");
        Http.assertProblem(http.fetch("admin.orders", 2, 0, ""), 404, "unknown-topic");

        // The name can be used again, for a new and empty topic.
        TopicDescription again = client.createTopic(new NewTopic("admin.orders", 2, 1));
        assertThat(again.partitions()).isEqualTo(2);
        assertThat(again.configs()).isEmpty();
        assertThat(again.topicId()).as("a new incarnation, a new id").isNotBlank().isNotEqualTo(created.topicId());
        assertThat(again.partitionDetails()).extracting(PartitionDetails::logEndOffset).containsExactly(0L, 0L);
        assertThat(http.readAll("admin.orders", 0)).isEmpty();
    }

    @Test
    void offsetsByEarliestLatestAndTimestamp() {
        client.createTopic(new NewTopic("admin.offsets", 1, 1));
        TopicPartition tp = new TopicPartition("admin.offsets", 0);
        assertThat(client.offsetFor(tp, OffsetSpec.earliest()).offset()).isZero();
        assertThat(client.offsetFor(tp, OffsetSpec.latest()).offset()).isZero();
        assertThat(http.get("/api/v1/topics/admin.offsets/partitions/0/offsets?at=5000").json().path("offset").asLong())
                .as("empty partition").isZero();

        Http.Response r = http.produce("admin.offsets", "{\"records\":[{\"value\":0,\"timestamp\":1000},"
                + "{\"value\":1,\"timestamp\":2000},{\"value\":2,\"timestamp\":2000},{\"value\":3,\"timestamp\":3000}]}");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().path("offsets").get(3).path("timestamp").asLong()).isEqualTo(3000);
        r = http.produce("admin.offsets", "{\"records\":[{\"value\":4,\"timestamp\":5000}]}");
        assertThat(r.status()).isEqualTo(200);

        assertThat(client.offsetFor(tp, OffsetSpec.earliest()).offset()).isZero();
        assertThat(client.offsetFor(tp, OffsetSpec.latest()).offset()).isEqualTo(5);
        Map<Long, Long> expected = Map.of(0L, 0L, 1000L, 0L, 1001L, 1L, 2000L, 1L, 2500L, 3L, 3000L, 3L, 4000L, 4L,
                5000L, 4L, 5001L, 5L);
        expected.forEach((ts, offset) -> {
            JsonNode answer = http.get("/api/v1/topics/admin.offsets/partitions/0/offsets?at=" + ts).json();
            assertThat(answer.path("offset").asLong()).as("offset for timestamp %d", ts).isEqualTo(offset);
            assertThat(answer.path("timestamp").asLong()).isEqualTo(ts);
            assertThat(answer.path("partition").asInt()).isZero();
        });
        JsonNode latest = http.get("/api/v1/topics/admin.offsets/partitions/0/offsets").json();
        assertThat(latest.path("offset").asLong()).as("latest is the default").isEqualTo(5);
        assertThat(http.readAll("admin.offsets", 0)).extracting(n -> n.path("timestamp").asLong())
                .containsExactly(1000L, 2000L, 2000L, 3000L, 5000L);
    }

    @Test
    void openApiDocumentListsTheEndpoints() {
        Http.Response r = http.get("/v3/api-docs");
        assertThat(r.status()).isEqualTo(200);
        JsonNode paths = r.json().path("paths");
        assertThat(paths.propertyNames()).contains("/api/v1/topics", "/api/v1/topics/{topic}",
                "/api/v1/topics/{topic}/configs", "/api/v1/topics/{topic}/records",
                "/api/v1/topics/{topic}/partitions/{partition}/records",
                "/api/v1/topics/{topic}/partitions/{partition}/offsets", "/api/v1/producers");
        assertThat(paths.path("/api/v1/topics").has("post")).isTrue();
        assertThat(paths.path("/api/v1/topics").has("get")).isTrue();
        assertThat(paths.path("/api/v1/topics/{topic}").has("delete")).isTrue();
        assertThat(paths.path("/api/v1/topics/{topic}/configs").has("patch")).isTrue();
        assertThat(paths.path("/api/v1/topics/{topic}/records").path("post").path("requestBody").path("content")
                .propertyNames()).contains("application/json", "application/x-ndjson");
    }

    @Test
    void openApiListsTheProblemTypesOfEachOperation() {
        JsonNode doc = http.get("/v3/api-docs").json();
        JsonNode create = doc.path("paths").path("/api/v1/topics").path("post").path("responses");
        assertThat(create.path("409").path("description").asString()).contains("`topic-exists`");
        assertThat(create.path("400").path("description").asString())
                .contains("`invalid-request`", "`invalid-topic`", "`invalid-config`");
        assertThat(create.path("403").path("description").asString()).contains("`authorization-failed`");
        assertThat(create.path("400").path("content").path("application/problem+json").path("schema").path("$ref")
                .asString()).isEqualTo("#/components/schemas/Problem");
        JsonNode fetch = doc.path("paths").path("/api/v1/topics/{topic}/partitions/{partition}/records").path("get")
                .path("responses");
        assertThat(fetch.path("416").path("description").asString()).contains("`offset-out-of-range`");
        assertThat(fetch.path("503").path("description").asString())
                .contains("`partition-not-hosted` (Partition not hosted on this node, retriable)");
        // every operation may fail with a bug, and says so
        doc.path("paths").forEachEntry((path, operations) -> operations.forEachEntry((method, operation) ->
                assertThat(operation.path("responses").path("500").path("description").asString())
                        .as("%s %s", method, path).contains("`internal-error`")));
        List<String> types = new ArrayList<>();
        doc.path("components").path("schemas").path("Problem").path("properties").path("type").path("enum")
                .forEach(t -> types.add(t.asString()));
        assertThat(types).containsExactlyInAnyOrderElementsOf(
                Arrays.stream(ProblemType.values()).map(ProblemType::uriString).toList());
    }

    @Test
    void actuatorHealthAndPrometheusMetrics() {
        JsonNode health = http.get("/actuator/health").json();
        assertThat(health.path("status").asString()).isEqualTo("UP");
        assertThat(health.path("components").path("diskSpace").path("status").asString()).isEqualTo("UP");
        assertThat(health.path("components").path("diskSpace").path("details").path("path").asString())
                .isEqualTo(DATA.toAbsolutePath().toString());

        client.createTopic(new NewTopic("admin.metrics", 1, 1));
        Http.Response r = http.produce("admin.metrics", "{\"records\":[{\"value\":1},{\"value\":2},{\"value\":3}]}");
        assertThat(r.status()).isEqualTo(200);
        String prometheus = http.get("/actuator/prometheus").text();
        List<String> lines = prometheus.lines().filter(l -> l.startsWith("ingest_produce_records_total{")
                && l.contains("topic=\"admin.metrics\"")).toList();
        assertThat(lines).as(prometheus).hasSize(1);
        assertThat(Double.parseDouble(lines.get(0).substring(lines.get(0).lastIndexOf(' ') + 1))).isEqualTo(3.0);
        assertThat(prometheus).contains("ingest_log_end_offset{");
    }
}
