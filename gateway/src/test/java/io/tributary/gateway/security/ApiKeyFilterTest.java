package io.tributary.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

@ExtendWith(OutputCaptureExtension.class)
class ApiKeyFilterTest {

    private static SecurityProperties keys(SecurityProperties.ApiKey... keys) {
        return new SecurityProperties("X-Api-Key", List.of(keys), new SecurityProperties.RateLimit(200,
                java.time.Duration.ofSeconds(1)));
    }

    @Test
    void shouldNeverLogTheSecretOfAKey(CapturedOutput output) {
        new ApiKeyFilter(keys(
                new SecurityProperties.ApiKey("dev", "tributary-dev-key", Set.of(Role.ADMIN), null),
                new SecurityProperties.ApiKey("developers-ci", "s3cret-of-the-ci", Set.of(Role.PRODUCER), null),
                new SecurityProperties.ApiKey("ops", "ops-secret", Set.of(Role.ADMIN), null)), null);

        assertThat(output.getAll()).contains("dev").contains("developers-ci")
                .doesNotContain("tributary-dev-key").doesNotContain("s3cret-of-the-ci").doesNotContain("ops-secret");
    }

    @Test
    void shouldTakeAKeyWithoutRolesAsAKeyWithNoRole() {
        SecurityProperties.ApiKey key = new SecurityProperties.ApiKey("public-only", "k", null, null);

        assertThat(key.roles()).isEmpty();
        assertThat(AccessRules.allows(key.roles(), AccessRules.Access.AUTHENTICATED)).isTrue();
        assertThat(AccessRules.allows(key.roles(), AccessRules.Access.PRODUCER)).isFalse();
    }
}
