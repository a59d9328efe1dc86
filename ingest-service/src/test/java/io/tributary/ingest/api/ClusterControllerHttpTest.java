package io.tributary.ingest.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.tributary.support.identity.TokenMinter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code GET /api/v1/cluster} on a single node (no peers): the node answers itself alone, not replicated,
 * leading every partition; and who may ask (CLUSTER DESCRIBE: the admin role or an ACL), closed as a
 * deployment is ({@code allow-everyone-if-no-acl-found=false}).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "ingest.security.allow-everyone-if-no-acl-found=false")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterControllerHttpTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final TokenMinter GATEWAY = new TokenMinter("gateway", "dev-only-gateway-identity-secret-not-for-production",
            Duration.ofMinutes(5), Clock.systemUTC());

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        Path data = Files.createTempDirectory("ingest-cluster-view-");
        registry.add("ingest.data-dir", data::toString);
    }

    @LocalServerPort
    int port;

    final HttpClient http = HttpClient.newHttpClient();

    HttpResponse<String> call(String token, String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String ops() {
        return GATEWAY.token("ops", List.of("admin"));
    }

    @BeforeAll
    void setUp() throws Exception {
        HttpResponse<String> created = call(ops(), "POST", "/api/v1/topics",
                "{\"name\":\"cv\",\"partitions\":3}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        HttpResponse<String> acl = call(ops(), "POST", "/api/v1/acls", "{\"principal\":\"User:monitor\","
                + "\"resourceType\":\"CLUSTER\",\"patternType\":\"LITERAL\",\"name\":\"tributary\","
                + "\"operation\":\"DESCRIBE\",\"permission\":\"ALLOW\"}");
        assertThat(acl.statusCode()).as(acl.body()).isEqualTo(201);
    }

    @Test
    void aSingleNodeAnswersItselfAloneLeadingEveryPartition() throws Exception {
        HttpResponse<String> r = call(ops(), "GET", "/api/v1/cluster", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode view = JSON.readTree(r.body());
        assertThat(view.get("nodeId").asInt()).isEqualTo(1);
        assertThat(view.get("replicated").asBoolean()).isFalse();
        assertThat(view.get("metadataLeader").isNull()).as(r.body()).isTrue();
        assertThat(view.get("nodes")).hasSize(1);
        JsonNode node = view.get("nodes").get(0);
        assertThat(node.get("id").asInt()).isEqualTo(1);
        assertThat(node.get("self").asBoolean()).isTrue();
        assertThat(node.get("reachable").asBoolean()).isTrue();
        assertThat(node.get("status").asString()).isEqualTo("UP");
        assertThat(node.get("httpPort").asInt()).isEqualTo(port);
        assertThat(node.get("raftPort").isNull()).isTrue();
        assertThat(node.has("kafkaPort")).as("no Kafka port on a single node: %s", node).isFalse();
        assertThat(strings(node.get("leaderOf").get("partitions"))).containsExactly("cv-0", "cv-1", "cv-2");
        assertThat(node.get("leaderOf").get("count").asInt()).isEqualTo(3);
        assertThat(node.get("followerOf").get("count").asInt()).isZero();
        assertThat(strings(node.get("failedReplicas"))).isEmpty();
        // The service's own __consumer_offsets is listed apart from the users' topics.
        assertThat(strings(node.get("internalLeaderOf").get("partitions")))
                .isNotEmpty().allMatch(p -> p.startsWith("__consumer_offsets-"));
        assertThat(view.get("partitionsWithoutLeader").get("count").asInt()).isZero();
    }

    @Test
    void itCountsTheRecordsProducedAndFetchedPerTopic() throws Exception {
        // The admin role manages topics but does not read or write their data (security.md): ACLs let it here.
        for (String operation : List.of("WRITE", "READ")) {
            HttpResponse<String> acl = call(ops(), "POST", "/api/v1/acls", "{\"principal\":\"User:ops\","
                    + "\"resourceType\":\"TOPIC\",\"patternType\":\"LITERAL\",\"name\":\"cv\","
                    + "\"operation\":\"" + operation + "\",\"permission\":\"ALLOW\"}");
            assertThat(acl.statusCode()).as(acl.body()).isIn(201, 200);
        }
        long[] before = traffic("cv");

        HttpResponse<String> produced = call(ops(), "POST", "/api/v1/topics/cv/records",
                "{\"records\":[{\"partition\":0,\"value\":1},{\"partition\":0,\"value\":2},"
                        + "{\"partition\":1,\"value\":3}]}");
        assertThat(produced.statusCode()).as(produced.body()).isEqualTo(200);
        for (int i = 0; i < 2; i++) { // each fetch counts what it answered: 2 records of partition 0
            HttpResponse<String> fetched = call(ops(), "GET",
                    "/api/v1/topics/cv/partitions/0/records?offset=" + before[2] + "&maxRecords=10", null);
            assertThat(fetched.statusCode()).as(fetched.body()).isEqualTo(200);
        }

        long[] after = traffic("cv");
        assertThat(after[0] - before[0]).as("produced").isEqualTo(3);
        assertThat(after[1] - before[1]).as("fetched").isEqualTo(4);
    }

    /** The single node's counts for {@code topic}: produced, fetched, and partition 0's end offset. */
    private long[] traffic(String topic) throws Exception {
        HttpResponse<String> r = call(ops(), "GET", "/api/v1/cluster", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode counts = JSON.readTree(r.body()).get("nodes").get(0).path("traffic").path(topic);
        HttpResponse<String> described = call(ops(), "GET", "/api/v1/topics/" + topic, null);
        long end = JSON.readTree(described.body()).get("partitionDetails").get(0).get("logEndOffset").asLong();
        return new long[] {counts.path("producedRecords").asLong(0), counts.path("fetchedRecords").asLong(0), end};
    }

    @Test
    void aPrincipalWithClusterDescribeMayAsk() throws Exception {
        HttpResponse<String> r = call(GATEWAY.token("monitor", List.of("consumer")), "GET", "/api/v1/cluster", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    @Test
    void aPrincipalWithoutClusterDescribeGetsAProblem() throws Exception {
        for (String token : new String[] {GATEWAY.token("dashboard", List.of("consumer")), null}) {
            HttpResponse<String> r = call(token, "GET", "/api/v1/cluster", null);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
                    t -> assertThat(t).startsWith("application/problem+json"));
            JsonNode problem = JSON.readTree(r.body());
            assertThat(problem.get("type").asString()).endsWith("authorization-failed");
            assertThat(problem.get("resourceType").asString()).isEqualTo("CLUSTER");
            assertThat(problem.get("operation").asString()).isEqualTo("DESCRIBE");
        }
    }

    @Test
    void aSingleNodeHasNoMoveToCancelAndNothingToSpread() throws Exception {
        HttpResponse<String> plan = call(ops(), "GET", "/api/v1/cluster/reassignments/plan", null);
        assertThat(plan.statusCode()).as(plan.body()).isEqualTo(400);
        assertThat(JSON.readTree(plan.body()).get("type").asString()).endsWith("invalid-request");
        HttpResponse<String> r = call(ops(), "DELETE", "/api/v1/cluster/reassignments/cv/1", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
        assertThat(JSON.readTree(r.body()).get("type").asString()).endsWith("no-reassignment-in-progress");
        for (String path : List.of("/api/v1/cluster/reassignments/cv/9", "/api/v1/cluster/reassignments/nope/0")) {
            HttpResponse<String> unknown = call(ops(), "DELETE", path, null);
            assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(404);
        }
        // CLUSTER ALTER: describing is not enough
        HttpResponse<String> refused = call(GATEWAY.token("monitor", List.of("consumer")), "DELETE",
                "/api/v1/cluster/reassignments/cv/1", null);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
        assertThat(JSON.readTree(refused.body()).get("operation").asString()).isEqualTo("ALTER");
    }

    @Test
    void theOpenApiDocumentDescribesIt() throws Exception {
        JsonNode docs = JSON.readTree(call(null, "GET", "/v3/api-docs", null).body());
        assertThat(docs.path("paths").path("/api/v1/cluster").path("get").path("responses").has("403")).isTrue();
        assertThat(docs.path("components").path("schemas").path("ClusterView").path("properties").has("nodes"))
                .isTrue();
        assertThat(docs.path("components").path("schemas").path("NodeAddress").path("properties").path("kafkaPort")
                .path("description").asString()).contains("ingest.kafka.port");
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asString()));
        return out;
    }
}
