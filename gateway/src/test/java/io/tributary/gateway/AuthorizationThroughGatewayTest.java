package io.tributary.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.support.identity.TokenMinter;
import io.tributary.testkit.EmbeddedIngest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The authorization matrix through the gateway, in front of a real ingest that is closed as a deployment is
 * ({@code allow-everyone-if-no-acl-found=false}): keys of each role reach ingest as their own {@code User:<key name>}
 * (the gateway's token), and ingest's ACLs decide beyond the gateway's role check. ACLs: {@code orders-app}
 * (producer key) may write {@code orders} under producer names {@code orders-app-*}; {@code dashboard} (consumer
 * key) may read {@code orders} in group {@code dashboard}; {@code mallory} holds both roles but no ACL.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "gateway.security.api-keys[0].name=orders-app",
        "gateway.security.api-keys[0].key=producer-key",
        "gateway.security.api-keys[0].roles=producer",
        "gateway.security.api-keys[1].name=dashboard",
        "gateway.security.api-keys[1].key=consumer-key",
        "gateway.security.api-keys[1].roles=consumer",
        "gateway.security.api-keys[2].name=ops",
        "gateway.security.api-keys[2].key=admin-key",
        "gateway.security.api-keys[2].roles=admin",
        "gateway.security.api-keys[3].name=mallory",
        "gateway.security.api-keys[3].key=mallory-key",
        "gateway.security.api-keys[3].roles=producer,consumer",
})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthorizationThroughGatewayTest {

    static final EmbeddedIngest INGEST = EmbeddedIngest.start(tempDir(),
            List.of("--ingest.security.allow-everyone-if-no-acl-found=false"));
    static final UpstreamStub CLEAN = new UpstreamStub("clean").start();
    static final UpstreamStub ANALYTICS = new UpstreamStub("analytics").start();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @DynamicPropertySource
    static void upstreams(DynamicPropertyRegistry registry) {
        registry.add("gateway.ingest-url", INGEST::url);
        registry.add("gateway.clean-url", CLEAN::url);
        registry.add("gateway.analytics-url", ANALYTICS::url);
    }

    @AfterAll
    static void stop() {
        INGEST.close();
        CLEAN.stop();
        ANALYTICS.stop();
    }

    @LocalServerPort
    int port;

    HttpResponse<String> call(String key, String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("X-Api-Key", key);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static void ok(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
    }

    @BeforeAll
    void setUp() throws Exception {
        ok(call("admin-key", "POST", "/api/v1/topics", "{\"name\":\"orders\",\"partitions\":1}"));
        for (String acl : List.of(
                "{\"principal\":\"User:orders-app\",\"resourceType\":\"TOPIC\",\"patternType\":\"LITERAL\","
                        + "\"name\":\"orders\",\"operation\":\"WRITE\",\"permission\":\"ALLOW\"}",
                "{\"principal\":\"User:orders-app\",\"resourceType\":\"PRODUCER\",\"patternType\":\"PREFIXED\","
                        + "\"name\":\"orders-app-\",\"operation\":\"WRITE\",\"permission\":\"ALLOW\"}",
                "{\"principal\":\"User:dashboard\",\"resourceType\":\"TOPIC\",\"patternType\":\"LITERAL\","
                        + "\"name\":\"orders\",\"operation\":\"READ\",\"permission\":\"ALLOW\"}",
                "{\"principal\":\"User:dashboard\",\"resourceType\":\"GROUP\",\"patternType\":\"LITERAL\","
                        + "\"name\":\"dashboard\",\"operation\":\"READ\",\"permission\":\"ALLOW\"}")) {
            ok(call("admin-key", "POST", "/api/v1/acls", acl));
        }
    }

    @ParameterizedTest(name = "{0} {1} {2} -> {4}")
    @CsvSource(delimiter = '|', value = {
            "producer-key | POST  | /api/v1/topics/orders/records             | {\"records\":[{\"value\":1}]} | 200",
            "mallory-key  | POST  | /api/v1/topics/orders/records             | {\"records\":[{\"value\":1}]} | 403",
            "producer-key | POST  | /api/v1/topics/__consumer_offsets/records | {\"records\":[{\"key\":\"clean-orders\",\"value\":1}]} | 403",
            "admin-key    | PATCH | /api/v1/topics/__consumer_offsets/configs | {\"configs\":{\"retention.ms\":\"1\"}} | 403",
            "producer-key | POST  | /api/v1/producers                         | {\"name\":\"orders-app-0\"} | 200",
            "producer-key | POST  | /api/v1/producers                         | {\"name\":\"clean-orders-clean-orders-0\"} | 403",
            "mallory-key  | POST  | /api/v1/producers                         | {\"name\":\"orders-app-0\"} | 403",
            "consumer-key | GET   | /api/v1/topics/orders/partitions/0/records?offset=0|                            | 200",
            "mallory-key  | GET   | /api/v1/topics/orders/partitions/0/records?offset=0|                            | 403",
            "consumer-key | POST  | /api/v1/groups/dashboard/members          | {\"topics\":[\"orders\"]}   | 200",
            "consumer-key | POST  | /api/v1/groups/clean-orders/members       | {\"topics\":[\"orders\"]}   | 403",
            "mallory-key  | POST  | /api/v1/groups/dashboard/members          | {\"topics\":[\"orders\"]}   | 403",
            "consumer-key | GET   | /api/v1/acls                              |                            | 403",
            "admin-key    | GET   | /api/v1/acls                              |                            | 200",
    })
    void matrix(String key, String method, String path, String body, int status) throws Exception {
        HttpResponse<String> r = call(key, method, path, body);
        assertThat(r.statusCode()).as(key + " " + method + " " + path + ": " + r.body()).isEqualTo(status);
    }

    @Test
    void aCallersOwnTokenGetsNoFurtherThanItsKey() throws Exception {
        // A consumer key with a self-made token naming the producer: the gateway drops the token, ingest sees
        // User:dashboard, which may not write.
        String forged = new TokenMinter("gateway", "an-attacker-secret-that-is-long-enough-too", Duration.ofMinutes(5),
                Clock.systemUTC()).token("orders-app", List.of("producer", "admin"));
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/api/v1/groups/clean-orders/members"))
                .header("X-Api-Key", "consumer-key").header("Authorization", "Bearer " + forged)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"topics\":[\"orders\"]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
        assertThat(r.body()).contains("User:dashboard");
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("gateway-test-ingest");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
