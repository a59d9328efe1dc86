package io.tributary.clean.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.Optional;

import io.tributary.support.identity.TokenMinter;
import io.tributary.testkit.RecordingStub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * stream-clean calls ingest as itself: every request of its ingest clients (the gateway's calls and, through
 * {@link IngestGateway#clientSettings()}, the workers' group consumers) carries a bearer token that verifies with
 * the stream-clean secret and names {@code iss=stream-clean}.
 */
@SpringBootTest(properties = {"spring.datasource.url=jdbc:h2:mem:ingest-identity", "clean.runner.enabled=false"})
class IngestIdentityTest {

    /** The development profile's stream-clean identity secret (application.yml). */
    static final String SECRET = "dev-only-stream-clean-identity-secret-not-for-production";
    static final RecordingStub INGEST = RecordingStub.start();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("clean.ingest-url", INGEST::url);
    }

    @AfterAll
    static void stop() {
        INGEST.close();
    }

    @Autowired
    IngestGateway ingest;

    static Jwt verify(Optional<String> authorization) {
        assertThat(authorization).hasValueSatisfying(a -> assertThat(a).startsWith("Bearer "));
        return NimbusJwtDecoder.withSecretKey(TokenMinter.secretKey("stream-clean", SECRET))
                .macAlgorithm(MacAlgorithm.HS256).build().decode(authorization.get().substring("Bearer ".length()));
    }

    @Test
    void everyCallToIngestCarriesTheServicesOwnToken() throws Exception {
        assertThat(catchThrowable(() -> ingest.describeTopic("orders"))).isNotNull(); // the stub answers 404
        Jwt jwt = verify(INGEST.nextAuthorization());
        assertThat(jwt.getClaimAsString("iss")).isEqualTo("stream-clean");
        assertThat(jwt.getSubject()).isEqualTo("stream-clean");
        assertThat(jwt.getExpiresAt()).isAfter(jwt.getIssuedAt());
        // The workers' group consumers are built from the same settings.
        verify(Optional.ofNullable(ingest.clientSettings().extraHeaders().get().get("Authorization")));
    }
}
