package io.tributary.analytics.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.tributary.client.IngestClient;
import io.tributary.client.producer.IngestProducer;
import io.tributary.client.producer.ProducerRecord;
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
 * analytics calls ingest as itself: its client (reads, producer identities) and its result producer send a bearer
 * token that verifies with the analytics secret and names {@code iss=analytics}.
 */
@SpringBootTest(properties = {"spring.datasource.url=jdbc:h2:mem:ingest-identity", "analytics.runner.enabled=false"})
class IngestIdentityTest {

    /** The development profile's analytics identity secret (application.yml). */
    static final String SECRET = "dev-only-analytics-identity-secret-not-for-production";
    static final RecordingStub INGEST = RecordingStub.start();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("analytics.ingest-url", INGEST::url);
    }

    @AfterAll
    static void stop() {
        INGEST.close();
    }

    @Autowired
    IngestClient client;

    @Autowired
    IngestProducer resultProducer;

    static void assertAnalyticsToken(String authorization) {
        assertThat(authorization).startsWith("Bearer ");
        Jwt jwt = NimbusJwtDecoder.withSecretKey(TokenMinter.secretKey("analytics", SECRET))
                .macAlgorithm(MacAlgorithm.HS256).build().decode(authorization.substring("Bearer ".length()));
        assertThat(jwt.getClaimAsString("iss")).isEqualTo("analytics");
        assertThat(jwt.getSubject()).isEqualTo("analytics");
    }

    @Test
    void theClientAndTheResultProducerCarryTheServicesOwnToken() throws Exception {
        assertThat(catchThrowable(() -> client.describeTopic("orders"))).isNotNull(); // the stub answers 404
        assertAnalyticsToken(INGEST.nextAuthorization().orElseThrow());
        catchThrowable(() -> {
            resultProducer.send("results", ProducerRecord.ofJson("k", "1"));
            resultProducer.flush();
        });
        assertAnalyticsToken(INGEST.nextAuthorization().orElseThrow());
    }
}
