package io.tributary.ingest.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import io.tributary.support.identity.TokenMinter;
import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Who is calling, over real HTTP: a bearer token of a trusted issuer (its secret in
 * {@code ingest.security.issuers.<iss>}, the development values of application.yml here) becomes the request's
 * principal; a forged, expired or foreign token is 401 problem+json; no token is an anonymous request; the internal
 * endpoints serve peer nodes only.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(IdentityHttpTest.WhoAmI.class)
class IdentityHttpTest {

    static final String GATEWAY_SECRET = "dev-only-gateway-identity-secret-not-for-production";
    static final String CLEAN_SECRET = "dev-only-stream-clean-identity-secret-not-for-production";
    static final String INGEST_SECRET = "dev-only-ingest-identity-secret-not-for-production";
    static final JsonMapper JSON = JsonMapper.builder().build();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        Path data = Files.createTempDirectory("ingest-identity-");
        registry.add("ingest.data-dir", data::toString);
    }

    /** Test-only: what the application sees of the caller. */
    @RestController
    static class WhoAmI {
        @GetMapping("/test/whoami")
        String whoami(HttpServletRequest request) {
            return Principals.name(request) + " admin=" + request.isUserInRole("admin")
                    + " producer=" + request.isUserInRole("producer");
        }
    }

    @LocalServerPort
    int port;

    final HttpClient http = HttpClient.newHttpClient();

    static TokenMinter minter(String issuer, String secret) {
        return new TokenMinter(issuer, secret, Duration.ofMinutes(5), Clock.systemUTC());
    }

    HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static void assertUnauthorized(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("application/problem+json"));
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                h -> assertThat(h).startsWith("Bearer"));
        JsonNode problem = JSON.readTree(r.body());
        assertThat(problem.path("type").asString()).isEqualTo("https://tributary.dev/problems/unauthorized");
        assertThat(problem.path("status").asInt()).isEqualTo(401);
        assertThat(problem.path("retriable").isBoolean()).isTrue();
        assertThat(problem.path("detail").asString()).isNotBlank();
    }

    @Test
    void aGatewayTokenIsTheUserItNamesInItsRoles() throws Exception {
        HttpResponse<String> r = get("/test/whoami", minter("gateway", GATEWAY_SECRET).token("alice", List.of("admin")));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("User:alice admin=true producer=false");
    }

    @Test
    void aServiceTokenIsTheServiceAndANodeTokenTheNode() throws Exception {
        assertThat(get("/test/whoami", minter("stream-clean", CLEAN_SECRET).token()).body())
                .isEqualTo("Service:stream-clean admin=false producer=false");
        assertThat(get("/test/whoami", minter("ingest", INGEST_SECRET).token("2", List.of())).body())
                .isEqualTo("Node:2 admin=false producer=false");
    }

    @Test
    void noTokenIsAnAnonymousRequestThatReachesTheApplication() throws Exception {
        assertThat(get("/test/whoami", null).body()).isEqualTo("User:ANONYMOUS admin=false producer=false");
        assertThat(get("/api/v1/topics", null).statusCode()).isEqualTo(200);
    }

    @Test
    void aTokenSignedWithAnotherSecretIsRefused() throws Exception {
        // Claims to come from the gateway, with roles, but is not signed with the gateway's secret.
        String forged = minter("gateway", "an-attacker-secret-that-is-long-enough-too").token("alice", List.of("admin"));
        assertUnauthorized(get("/test/whoami", forged));
        assertUnauthorized(get("/api/v1/topics", forged));
    }

    @Test
    void anExpiredTokenIsRefused() throws Exception {
        Clock anHourAgo = Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC);
        String expired = new TokenMinter("gateway", GATEWAY_SECRET, Duration.ofMinutes(5), anHourAgo)
                .token("alice", List.of("admin"));
        assertUnauthorized(get("/api/v1/topics", expired));
    }

    @Test
    void aTokenOfAnUnknownIssuerIsRefused() throws Exception {
        assertUnauthorized(get("/api/v1/topics", minter("mallory", GATEWAY_SECRET).token("alice", List.of("admin"))));
    }

    @Test
    void aMalformedTokenIsRefused() throws Exception {
        assertUnauthorized(get("/api/v1/topics", "not.a.jwt"));
        assertUnauthorized(get("/api/v1/topics", "!!!"));
    }

    @Test
    void internalEndpointsServePeerNodesOnly() throws Exception {
        String path = "/internal/replication/topics/t/partitions/0/snapshot";
        assertUnauthorized(get(path, null));
        HttpResponse<String> user = get(path, minter("gateway", GATEWAY_SECRET).token("alice", List.of("admin")));
        assertThat(user.statusCode()).as(user.body()).isEqualTo(403);
        assertThat(JSON.readTree(user.body()).path("type").asString())
                .isEqualTo("https://tributary.dev/problems/forbidden");
        HttpResponse<String> service = get(path, minter("stream-clean", CLEAN_SECRET).token());
        assertThat(service.statusCode()).isEqualTo(403);
        // A peer passes security (a single node has no replication endpoints: 404 from the application).
        HttpResponse<String> node = get(path, minter("ingest", INGEST_SECRET).token("2", List.of()));
        assertThat(node.statusCode()).as(node.body()).isNotIn(401, 403);
    }

    @Test
    void healthAndApiDocsStayOpen() throws Exception {
        assertThat(get("/actuator/health", null).statusCode()).isEqualTo(200);
        assertThat(get("/actuator/prometheus", null).statusCode()).isEqualTo(200);
        assertThat(get("/v3/api-docs", null).statusCode()).isEqualTo(200);
    }
}
