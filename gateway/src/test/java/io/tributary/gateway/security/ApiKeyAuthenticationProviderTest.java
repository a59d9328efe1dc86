package io.tributary.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;

@ExtendWith(OutputCaptureExtension.class)
class ApiKeyAuthenticationProviderTest {

    private final ApiKeyAuthenticationProvider provider = new ApiKeyAuthenticationProvider(List.of(
            new SecurityProperties.ApiKey("dev", "tributary-dev-key", Set.of(Role.ADMIN), null),
            new SecurityProperties.ApiKey("developers-ci", "s3cret-of-the-ci", Set.of(Role.PRODUCER), null),
            new SecurityProperties.ApiKey("ops", "ops-secret", Set.of(Role.ADMIN, Role.CONSUMER), null),
            new SecurityProperties.ApiKey("public-only", "k", null, null)));

    @Test
    void shouldNeverLogTheSecretOfAKey(CapturedOutput output) {
        new ApiKeyAuthenticationProvider(List.of(
                new SecurityProperties.ApiKey("dev", "tributary-dev-key", Set.of(Role.ADMIN), null),
                new SecurityProperties.ApiKey("developers-ci", "s3cret-of-the-ci", Set.of(Role.PRODUCER), null)));

        assertThat(output.getAll()).contains("dev").contains("developers-ci")
                .doesNotContain("tributary-dev-key").doesNotContain("s3cret-of-the-ci");
    }

    @Test
    void shouldAuthenticateAKnownKeyWithItsRolesAndWithoutItsSecret() {
        Authentication authenticated = provider.authenticate(ApiKeyAuthentication.unauthenticated("ops-secret"));

        assertThat(authenticated.isAuthenticated()).isTrue();
        assertThat(authenticated.getName()).isEqualTo("ops");
        assertThat(authenticated.getCredentials()).isNull();
        assertThat(authenticated.getAuthorities()).extracting(GrantedAuthority::getAuthority)
                .containsExactlyInAnyOrder("ROLE_ADMIN", "ROLE_CONSUMER");
        assertThat(Caller.of(authenticated)).isEqualTo(new Caller("ops", Set.of(Role.ADMIN, Role.CONSUMER),
                Caller.Scheme.API_KEY, null));
    }

    @Test
    void shouldRefuseAnUnknownKeyOrAPrefixOfAKnownOne() {
        assertThatThrownBy(() -> provider.authenticate(ApiKeyAuthentication.unauthenticated("ops-secre")))
                .isInstanceOf(BadCredentialsException.class).hasMessage("unknown API key");
        assertThatThrownBy(() -> provider.authenticate(ApiKeyAuthentication.unauthenticated("")))
                .isInstanceOf(BadCredentialsException.class);
    }

    @Test
    void shouldTakeAKeyWithoutRolesAsAKeyWithNoRole() {
        Caller caller = Caller.of(provider.authenticate(ApiKeyAuthentication.unauthenticated("k")));

        assertThat(caller.roles()).isEmpty();
        assertThat(AccessRules.allows(caller.roles(), AccessRules.Access.AUTHENTICATED)).isTrue();
        assertThat(AccessRules.allows(caller.roles(), AccessRules.Access.PRODUCER)).isFalse();
    }
}
