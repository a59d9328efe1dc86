package io.tributary.ingest.security;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import io.tributary.support.identity.IdentityProperties;
import io.tributary.support.identity.Secrets;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

/** Outside the development profile, ingest refuses placeholder issuer secrets and names the property. */
class IssuerSecretsTest {

    static final String REAL = "k7Qp2v9XzL4mN8rT1wY6bC3dF5gH0jKs";
    static final IdentityProperties NODE = new IdentityProperties("ingest", REAL, Duration.ofMinutes(5));

    static MockEnvironment profile(String... profiles) {
        MockEnvironment environment = new MockEnvironment();
        environment.setActiveProfiles(profiles);
        return environment;
    }

    @Test
    void aProductionProfileRefusesTheDevelopmentSecretOfAnIssuer() {
        var issuers = new IngestSecurityProperties(Map.of("gateway", REAL,
                "stream-clean", "dev-only-stream-clean-identity-secret-not-for-production"));
        assertThatThrownBy(() -> IngestSecurityConfiguration.issuers(issuers, NODE, profile("prod")))
                .isInstanceOf(Secrets.InsecureSecretException.class)
                .hasMessageContaining("ingest.security.issuers.stream-clean");
    }

    @Test
    void aProductionProfileRefusesAPlaceholderNodeSecret() {
        var issuers = new IngestSecurityProperties(Map.of("gateway", REAL));
        var node = new IdentityProperties("ingest", "replace-me-with-a-real-secret-please", Duration.ofMinutes(5));
        assertThatThrownBy(() -> IngestSecurityConfiguration.issuers(issuers, node, profile("prod")))
                .hasMessageContaining("tributary.identity.secret");
    }

    @Test
    void aShortSecretIsRefusedInAnyProfile() {
        var issuers = new IngestSecurityProperties(Map.of("gateway", "short"));
        assertThatThrownBy(() -> IngestSecurityConfiguration.issuers(issuers, NODE, profile()))
                .hasMessageContaining("ingest.security.issuers.gateway").hasMessageContaining("32 bytes");
    }

    @Test
    void realSecretsStart() {
        var issuers = new IngestSecurityProperties(Map.of("gateway", REAL, "analytics", REAL.toLowerCase()));
        assertThatCode(() -> IngestSecurityConfiguration.issuers(issuers, NODE, profile("prod")))
                .doesNotThrowAnyException();
    }
}
