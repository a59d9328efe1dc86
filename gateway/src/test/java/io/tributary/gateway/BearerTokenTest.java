package io.tributary.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.support.identity.TokenMinter;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * OAuth2 bearer tokens (JWT) at the gateway, from a local OpenID Connect issuer ({@link LocalIssuer}: discovery and
 * JWK set on loopback): roles from a nested claim ({@code realm_access.roles}) with one mapped name, the same access
 * rules as API keys, every way a token can be bad answered 401 with a {@code Bearer error="invalid_token"}
 * challenge, the caller forwarded as a gateway token, rate limits per subject.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.security.oauth2.resourceserver.jwt.audiences=" + LocalIssuer.AUDIENCE,
        "gateway.security.jwt.roles-claim=realm_access.roles",
        "gateway.security.jwt.role-mapping[tributary-admin]=admin",
        "gateway.security.jwt.rate-limit.limit-for-period=3",
        "gateway.security.jwt.rate-limit.refresh-period=1h",
        "gateway.security.api-keys[0].name=operator",
        "gateway.security.api-keys[0].key=a-key",
        "gateway.security.api-keys[0].roles=admin",
})
class BearerTokenTest {

    static final LocalIssuer ISSUER = new LocalIssuer();
    static final UpstreamStub INGEST = new UpstreamStub("ingest").start();
    static final UpstreamStub CLEAN = new UpstreamStub("clean").start();
    static final UpstreamStub ANALYTICS = new UpstreamStub("analytics").start();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    /** Every case its own subject, so that the per-subject rate limit (3 per hour) never interferes. */
    static final AtomicInteger SUBJECTS = new AtomicInteger();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("spring.security.oauth2.resourceserver.jwt.issuer-uri", ISSUER::issuer);
        registry.add("gateway.ingest-url", INGEST::url);
        registry.add("gateway.clean-url", CLEAN::url);
        registry.add("gateway.analytics-url", ANALYTICS::url);
    }

    @AfterAll
    static void stop() {
        ISSUER.stop();
        INGEST.stop();
        CLEAN.stop();
        ANALYTICS.stop();
    }

    @LocalServerPort
    int port;

    @BeforeEach
    void clear() {
        INGEST.clear();
    }

    static String subject() {
        return "user-" + SUBJECTS.incrementAndGet();
    }

    /** A good token whose {@code realm_access.roles} holds {@code roles} (space separated, "-" for none). */
    static String tokenWithRoles(String subject, String roles) {
        List<String> list = roles.equals("-") ? List.of() : Arrays.asList(roles.split(" "));
        return ISSUER.token(subject, c -> c.claim("realm_access", Map.of("roles", list)));
    }

    HttpResponse<String> send(String method, String path, String authorization) throws IOException,
            InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).method(method, BodyPublishers.ofString("{}"))
                .header("Content-Type", "application/json");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest(name = "roles [{0}]: {1} {2} -> {3}")
    @CsvSource({
            "producer,                 POST, /api/v1/topics/t/records,              200",
            "producer,                 POST, /api/v1/producers,                     200",
            "producer,                 GET,  /api/v1/topics/t/partitions/0/records, 403",
            "producer,                 POST, /api/v1/topics,                        403",
            "consumer,                 GET,  /api/v1/topics/t/partitions/0/records, 200",
            "consumer,                 POST, /api/v1/groups/g/members,              200",
            "consumer,                 POST, /api/v1/topics/t/records,              403",
            "producer consumer,        GET,  /api/v1/topics/t/partitions/0/records, 200",
            "tributary-admin,          POST, /api/v1/topics,                        200",
            "tributary-admin,          GET,  /actuator/metrics,                     200",
            "ADMIN,                    DELETE, /api/v1/topics/t,                    200",
            "read-only,                GET,  /api/v1/jobs/j/results,                200",
            "read-only,                POST, /api/v1/jobs,                          403",
            "-,                        GET,  /api/v1/topics,                        200",
            "-,                        POST, /api/v1/topics/t/records,              403",
            "some-other-application,   POST, /api/v1/pipelines,                     403",
    })
    void shouldApplyTheRoleMatrixToTokenRoles(String roles, String method, String path, int status)
            throws Exception {
        HttpResponse<String> response = send(method, path, "Bearer " + tokenWithRoles(subject(), roles));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        if (status == 403) {
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(response.body()).contains("https://tributary.dev/problems/forbidden")
                    .contains("token subject 'user-").contains("\"requiredRole\":");
        }
    }

    @Test
    void shouldTellTheConsoleWhoATokenBelongsTo() throws Exception {
        String subject = subject();
        HttpResponse<String> response = send("GET", "/console/api/session",
                "Bearer " + tokenWithRoles(subject, "consumer admin"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"name\":\"" + subject + "\",\"scheme\":\"bearer-token\","
                + "\"roles\":[\"admin\",\"consumer\"]}");
    }

    @Test
    void shouldTakeRolesOnlyFromTheConfiguredClaim() throws Exception {
        String token = ISSUER.token(subject(), c -> c.claim("roles", List.of("admin")));

        assertThat(send("POST", "/api/v1/topics", "Bearer " + token).statusCode()).isEqualTo(403);
    }

    @Test
    void shouldTakeRolesGivenAsOneSpaceSeparatedString() throws Exception {
        String token = ISSUER.token(subject(), c -> c.claim("realm_access", Map.of("roles", "consumer producer")));

        assertThat(send("POST", "/api/v1/topics/t/records", "Bearer " + token).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/api/v1/topics/t/partitions/0/offsets", "Bearer " + token).statusCode())
                .isEqualTo(200);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"expired", "not yet valid", "another issuer", "another audience", "no subject",
            "signed by another key", "not signed", "HMAC with the public key", "not a JWT", "empty"})
    void shouldRefuseEveryBadTokenWith401AndABearerChallenge(String kind) throws Exception {
        String subject = subject();
        Instant now = Instant.now();
        String token = switch (kind) {
            case "expired" -> ISSUER.token(subject, c -> c.issueTime(Date.from(now.minusSeconds(3600)))
                    .expirationTime(Date.from(now.minusSeconds(600))));
            case "not yet valid" -> ISSUER.token(subject, c -> c.notBeforeTime(Date.from(now.plusSeconds(600))));
            case "another issuer" -> ISSUER.token(subject, c -> c.issuer("http://127.0.0.1:1/elsewhere"));
            case "another audience" -> ISSUER.token(subject, c -> c.audience("someone-else"));
            case "no subject" -> ISSUER.token(subject, c -> c.subject(null));
            case "signed by another key" -> ISSUER.tokenOfAnotherKey(subject);
            case "not signed" -> ISSUER.unsignedToken(subject);
            case "HMAC with the public key" -> ISSUER.tokenSignedWithThePublicKeyAsHmacSecret(subject);
            case "not a JWT" -> "not.a.jwt";
            case "empty" -> "";
            default -> throw new IllegalArgumentException(kind);
        };
        HttpResponse<String> response = send("GET", "/api/v1/topics", "Bearer " + token);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(response.body()).contains("https://tributary.dev/problems/unauthorized");
        assertThat(response.headers().allValues("WWW-Authenticate"))
                .anySatisfy(v -> assertThat(v).startsWith("Bearer error=\"invalid_token\""));
        assertThat(INGEST.receivedNothing()).isTrue();
    }

    @Test
    void shouldOfferBothSchemesWhenNoCredentialIsSent() throws Exception {
        HttpResponse<String> response = send("GET", "/api/v1/topics", null);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().allValues("WWW-Authenticate")).containsExactly("ApiKey header=\"X-Api-Key\"",
                "Bearer");
        assertThat(response.body()).contains("or a bearer token");
    }

    @Test
    void shouldRefuseARequestCarryingAKeyAndAToken() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/topics"))
                .header("X-Api-Key", "a-key").header("Authorization", "Bearer " + tokenWithRoles(subject(), "-"))
                .GET().build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).contains("not both");
    }

    @Test
    void shouldForwardTheSubjectAsAGatewayTokenNeverTheCallersToken() throws Exception {
        String subject = subject();
        String token = tokenWithRoles(subject, "producer tributary-admin");

        assertThat(send("POST", "/api/v1/topics/t/records", "Bearer " + token).statusCode()).isEqualTo(200);

        String forwarded = INGEST.take().header("Authorization");
        assertThat(forwarded).startsWith("Bearer ").doesNotContain(token);
        Jwt jwt = NimbusJwtDecoder.withSecretKey(TokenMinter.secretKey("gateway", IdentityForwardingTest.SECRET))
                .macAlgorithm(MacAlgorithm.HS256).build().decode(forwarded.substring("Bearer ".length()));
        assertThat(jwt.getClaimAsString("iss")).isEqualTo("gateway");
        assertThat(jwt.getSubject()).isEqualTo(subject);
        assertThat(jwt.getClaimAsStringList("roles")).containsExactly("admin", "producer");
    }

    @Test
    void shouldLimitEachSubjectToItsRate() throws Exception {
        String busy = tokenWithRoles(subject(), "consumer");
        for (int i = 0; i < 3; i++) {
            assertThat(send("GET", "/api/v1/groups", "Bearer " + busy).statusCode()).isEqualTo(200);
        }

        HttpResponse<String> limited = send("GET", "/api/v1/groups", "Bearer " + busy);

        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).isPresent();
        assertThat(limited.body()).contains("https://tributary.dev/problems/rate-limited")
                .contains("3 requests per PT1H");
        assertThat(send("GET", "/api/v1/groups", "Bearer " + tokenWithRoles(subject(), "consumer")).statusCode())
                .isEqualTo(200);
    }

    @Test
    void shouldStillServePublicPathsWithoutAToken() throws Exception {
        assertThat(send("GET", "/actuator/health", null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/ingest/v3/api-docs", null).statusCode()).isEqualTo(200);
    }
}
