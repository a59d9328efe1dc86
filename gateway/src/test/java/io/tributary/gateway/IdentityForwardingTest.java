package io.tributary.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.support.identity.TokenMinter;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/**
 * The services learn who is calling from a token only the gateway can sign: an authenticated key's request arrives
 * upstream with {@code Authorization: Bearer <JWT>} (iss=gateway, sub=key name, its roles) that verifies with the
 * gateway's identity secret; a caller's own {@code Authorization} never gets through.
 */
class IdentityForwardingTest extends GatewayTestSupport {

    /** The development profile's gateway identity secret (application.yml). */
    static final String SECRET = "dev-only-gateway-identity-secret-not-for-production";

    static Jwt verify(String authorization) {
        assertThat(authorization).startsWith("Bearer ");
        return NimbusJwtDecoder.withSecretKey(TokenMinter.secretKey("gateway", SECRET))
                .macAlgorithm(MacAlgorithm.HS256).build().decode(authorization.substring("Bearer ".length()));
    }

    /** What a caller might try: a token of its own making, claiming to be an admin. */
    static String forged() {
        return "Bearer " + new TokenMinter("gateway", "an-attacker-secret-that-is-long-enough-too",
                Duration.ofMinutes(5), Clock.systemUTC()).token("operator", List.of("admin"));
    }

    @BeforeEach
    void clear() {
        clearStubs();
    }

    @Test
    void anAuthenticatedKeyArrivesUpstreamAsAVerifiableTokenNamingTheKey() throws Exception {
        assertThat(send(request("/api/v1/topics/t/partitions/0/records", "c-key").GET()).statusCode()).isEqualTo(200);
        Jwt jwt = verify(INGEST.take().header("Authorization"));
        assertThat(jwt.getClaimAsString("iss")).isEqualTo("gateway");
        assertThat(jwt.getSubject()).isEqualTo("consumer-app");
        assertThat(jwt.getClaimAsStringList("roles")).containsExactly("consumer");
        assertThat(jwt.getExpiresAt()).isAfter(jwt.getIssuedAt());
    }

    @Test
    void aCallersOwnAuthorizationNeverReachesTheUpstream() throws Exception {
        String forged = forged();
        assertThat(send(request("/api/v1/topics/t/records", "p-key").header("Authorization", forged)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}"))
                .header("Content-Type", "application/json")).statusCode()).isEqualTo(200);
        UpstreamStub.Received received = INGEST.take();
        assertThat(received.headers().entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase("Authorization"))
                .flatMap(e -> e.getValue().stream())).hasSize(1).doesNotContain(forged);
        Jwt jwt = verify(received.header("Authorization"));
        assertThat(jwt.getSubject()).isEqualTo("producer-app");
        assertThat(jwt.getClaimAsStringList("roles")).containsExactly("producer");
    }

    @Test
    void anAnonymousRequestGoesUpstreamWithoutAnyAuthorization() throws Exception {
        assertThat(send(request("/ingest/v3/api-docs").header("Authorization", forged()).GET()).statusCode())
                .isEqualTo(200);
        assertThat(INGEST.take().header("Authorization")).isNull();
    }
}
