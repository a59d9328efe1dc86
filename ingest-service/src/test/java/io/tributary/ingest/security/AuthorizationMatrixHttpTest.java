package io.tributary.ingest.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import io.tributary.support.identity.TokenMinter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The authorization matrix, straight to ingest over HTTP with the tokens the gateway and the services mint
 * (principal x resource x operation, allowed and denied), closed as a deployment is
 * ({@code allow-everyone-if-no-acl-found=false}). ACLs: {@code User:orders-app} (a producer key) may write
 * {@code orders} under producer names {@code orders-app-*}; {@code User:dashboard} (a consumer key) may read
 * {@code orders} in its group {@code dashboard}; {@code User:ops} has the admin role; the services are super users
 * with their reserved prefixes.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "ingest.security.allow-everyone-if-no-acl-found=false")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthorizationMatrixHttpTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final TokenMinter GATEWAY = minter("gateway", "dev-only-gateway-identity-secret-not-for-production");
    static final TokenMinter CLEAN = minter("stream-clean", "dev-only-stream-clean-identity-secret-not-for-production");
    static final TokenMinter ANALYTICS = minter("analytics", "dev-only-analytics-identity-secret-not-for-production");
    static final String PIPELINE_PRODUCER = "clean-orders-clean-orders-0";
    static final String PIPELINE_GROUP = "clean-orders";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        Path data = Files.createTempDirectory("ingest-matrix-");
        registry.add("ingest.data-dir", data::toString);
    }

    static TokenMinter minter(String issuer, String secret) {
        return new TokenMinter(issuer, secret, Duration.ofMinutes(5), Clock.systemUTC());
    }

    /** The token of a caller by its short name in the matrix. */
    static String token(String who) {
        return switch (who) {
            case "anonymous" -> null;
            case "ops" -> GATEWAY.token("ops", List.of("admin"));
            case "orders-app" -> GATEWAY.token("orders-app", List.of("producer"));
            case "dashboard" -> GATEWAY.token("dashboard", List.of("consumer"));
            case "mallory" -> GATEWAY.token("mallory", List.of("producer", "consumer"));
            case "forged-admin" -> minter("gateway", "an-attacker-secret-that-is-long-enough-too")
                    .token("ops", List.of("admin"));
            case "stream-clean" -> CLEAN.token();
            case "analytics" -> ANALYTICS.token();
            default -> throw new IllegalArgumentException(who);
        };
    }

    @LocalServerPort
    int port;

    final HttpClient http = HttpClient.newHttpClient();

    HttpResponse<String> call(String who, String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        String token = token(who);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    void ok(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
    }

    @BeforeAll
    void setUp() throws Exception {
        ok(call("ops", "POST", "/api/v1/topics", "{\"name\":\"orders\",\"partitions\":1}"));
        for (String acl : List.of(
                "{\"principal\":\"User:orders-app\",\"resourceType\":\"TOPIC\",\"patternType\":\"LITERAL\","
                        + "\"name\":\"orders\",\"operation\":\"WRITE\",\"permission\":\"ALLOW\"}",
                "{\"principal\":\"User:orders-app\",\"resourceType\":\"PRODUCER\",\"patternType\":\"PREFIXED\","
                        + "\"name\":\"orders-app-\",\"operation\":\"WRITE\",\"permission\":\"ALLOW\"}",
                "{\"principal\":\"User:dashboard\",\"resourceType\":\"TOPIC\",\"patternType\":\"LITERAL\","
                        + "\"name\":\"orders\",\"operation\":\"READ\",\"permission\":\"ALLOW\"}",
                "{\"principal\":\"User:dashboard\",\"resourceType\":\"GROUP\",\"patternType\":\"LITERAL\","
                        + "\"name\":\"dashboard\",\"operation\":\"READ\",\"permission\":\"ALLOW\"}")) {
            ok(call("ops", "POST", "/api/v1/acls", acl));
        }
        ok(call("orders-app", "POST", "/api/v1/topics/orders/records", "{\"records\":[{\"value\":1}]}"));
    }

    @ParameterizedTest(name = "{0} {1} {2} -> {4}")
    @CsvSource(delimiter = '|', value = {
            // topic WRITE
            "orders-app   | POST   | /api/v1/topics/orders/records                | {\"records\":[{\"value\":2}]}  | 200",
            "dashboard    | POST   | /api/v1/topics/orders/records                | {\"records\":[{\"value\":2}]}  | 403",
            "mallory      | POST   | /api/v1/topics/orders/records                | {\"records\":[{\"value\":2}]}  | 403",
            "anonymous    | POST   | /api/v1/topics/orders/records                | {\"records\":[{\"value\":2}]}  | 403",
            "ops          | POST   | /api/v1/topics/orders/records                | {\"records\":[{\"value\":2}]}  | 403",
            "analytics    | POST   | /api/v1/topics/orders/records                | {\"records\":[{\"value\":2}]}  | 200",
            "forged-admin | POST   | /api/v1/topics/orders/records                | {\"records\":[{\"value\":2}]}  | 401",
            // internal topics: nobody writes or reconfigures them
            "orders-app   | POST   | /api/v1/topics/__consumer_offsets/records    | {\"records\":[{\"key\":\"clean-orders\",\"value\":1}]} | 403",
            "ops          | POST   | /api/v1/topics/__consumer_offsets/records    | {\"records\":[{\"key\":\"clean-orders\",\"value\":1}]} | 403",
            "stream-clean | POST   | /api/v1/topics/__consumer_offsets/records    | {\"records\":[{\"key\":\"clean-orders\",\"value\":1}]} | 403",
            "ops          | PATCH  | /api/v1/topics/__consumer_offsets/configs    | {\"configs\":{\"retention.ms\":\"1\"}} | 403",
            // topic READ
            "dashboard    | GET    | /api/v1/topics/orders/partitions/0/records?offset=0|                               | 200",
            "orders-app   | GET    | /api/v1/topics/orders/partitions/0/records?offset=0|                               | 403",
            "anonymous    | GET    | /api/v1/topics/orders/partitions/0/records?offset=0|                               | 403",
            "ops          | GET    | /api/v1/topics/orders/partitions/0/records?offset=0|                               | 403",
            "stream-clean | GET    | /api/v1/topics/orders/partitions/0/records?offset=0|                               | 200",
            // topic DESCRIBE (implied by READ/WRITE), CREATE, ALTER, DELETE
            "dashboard    | GET    | /api/v1/topics/orders                        |                               | 200",
            "orders-app   | GET    | /api/v1/topics/orders                        |                               | 200",
            "mallory      | GET    | /api/v1/topics/orders                        |                               | 403",
            "ops          | GET    | /api/v1/topics/orders                        |                               | 200",
            "orders-app   | POST   | /api/v1/topics                               | {\"name\":\"new.topic\"}         | 403",
            "dashboard    | PATCH  | /api/v1/topics/orders/configs                | {\"configs\":{\"retention.ms\":\"1\"}} | 403",
            "orders-app   | DELETE | /api/v1/topics/orders                        |                               | 403",
            // producer identities: own prefix only; a pipeline's is the pipeline's
            "orders-app   | POST   | /api/v1/producers                            | {\"name\":\"orders-app-0\"}      | 200",
            "orders-app   | POST   | /api/v1/producers                            | {\"name\":\"clean-orders-clean-orders-0\"} | 403",
            "mallory      | POST   | /api/v1/producers                            | {\"name\":\"orders-app-0\"}      | 403",
            "ops          | POST   | /api/v1/producers                            | {\"name\":\"clean-orders-clean-orders-0\"} | 403",
            "stream-clean | POST   | /api/v1/producers                            | {\"name\":\"clean-orders-clean-orders-0\"} | 200",
            "analytics    | POST   | /api/v1/producers                            | {\"name\":\"analytics-job-totals\"} | 200",
            // groups: join only where allowed
            "dashboard    | POST   | /api/v1/groups/dashboard/members             | {\"topics\":[\"orders\"]}        | 200",
            "dashboard    | POST   | /api/v1/groups/clean-orders/members          | {\"topics\":[\"orders\"]}        | 403",
            "orders-app   | POST   | /api/v1/groups/dashboard/members             | {\"topics\":[\"orders\"]}        | 403",
            "mallory      | POST   | /api/v1/groups/dashboard/members             | {\"topics\":[\"orders\"]}        | 403",
            "anonymous    | POST   | /api/v1/groups/dashboard/members             | {\"topics\":[\"orders\"]}        | 403",
            // ACLs: admins only
            "ops          | GET    | /api/v1/acls                                 |                               | 200",
            "dashboard    | GET    | /api/v1/acls                                 |                               | 403",
            "orders-app   | POST   | /api/v1/acls                                 | {\"principal\":\"User:orders-app\",\"resourceType\":\"TOPIC\",\"patternType\":\"LITERAL\",\"name\":\"orders\",\"operation\":\"READ\",\"permission\":\"ALLOW\"} | 403",
    })
    void matrix(String who, String method, String path, String body, int status) throws Exception {
        HttpResponse<String> r = call(who, method, path, body);
        assertThat(r.statusCode()).as(who + " " + method + " " + path + ": " + r.body()).isEqualTo(status);
        if (status >= 400) {
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
                    ct -> assertThat(ct).startsWith("application/problem+json"));
        }
    }

    @Test
    void aConsumerCannotCommitOrRemoveMembersOfAPipelinesGroup() throws Exception {
        HttpResponse<String> joined = call("stream-clean", "POST", "/api/v1/groups/" + PIPELINE_GROUP + "/members",
                "{\"topics\":[\"orders\"],\"autoOffsetReset\":\"earliest\"}");
        ok(joined);
        JsonNode member = JSON.readTree(joined.body());
        String memberId = member.get("memberId").asString();
        int generation = member.get("generation").asInt();
        String commit = "{\"memberId\":\"" + memberId + "\",\"generation\":" + generation
                + ",\"offsets\":[{\"topic\":\"orders\",\"partition\":0,\"offset\":1000000}]}";
        for (String who : List.of("dashboard", "mallory", "anonymous")) {
            assertThat(call(who, "POST", "/api/v1/groups/" + PIPELINE_GROUP + "/offsets", commit).statusCode())
                    .isEqualTo(403);
            assertThat(call(who, "DELETE", "/api/v1/groups/" + PIPELINE_GROUP + "/members/" + memberId, null)
                    .statusCode()).isEqualTo(403);
        }
        // The pipeline's member is still there and its service keeps working with its own identity.
        ok(call("stream-clean", "POST", "/api/v1/groups/" + PIPELINE_GROUP + "/members/" + memberId + "/heartbeat",
                null));
        ok(call("stream-clean", "POST", "/api/v1/groups/" + PIPELINE_GROUP + "/offsets",
                "{\"memberId\":\"" + memberId + "\",\"generation\":" + generation
                        + ",\"offsets\":[{\"topic\":\"orders\",\"partition\":0,\"offset\":1}]}"));
    }

    @Test
    void aProducerCannotBorrowAPipelinesProducerIdToForgeItsSequence() throws Exception {
        HttpResponse<String> identity = call("stream-clean", "POST", "/api/v1/producers",
                "{\"name\":\"" + PIPELINE_PRODUCER + "\"}");
        ok(identity);
        JsonNode id = JSON.readTree(identity.body());
        String forged = "{\"producerId\":" + id.get("producerId").asLong() + ",\"producerEpoch\":"
                + id.get("producerEpoch").asInt() + ",\"baseSequence\":1000000000,\"records\":[{\"value\":1}]}";
        assertThat(call("orders-app", "POST", "/api/v1/topics/orders/records", forged).statusCode()).isEqualTo(403);
    }
}
