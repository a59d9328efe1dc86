package io.tributary.support.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

class TokenMinterTest {

    static final String SECRET = "a-test-secret-that-is-long-enough-for-hs256";

    /** A clock the test moves. */
    static final class MovingClock extends Clock {
        Instant now = Instant.now();

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    final MovingClock clock = new MovingClock();
    final TokenMinter minter = new TokenMinter("gateway", SECRET, Duration.ofMinutes(5), clock);

    static JwtDecoder decoder(String secret) {
        NimbusJwtDecoder decoder = NimbusJwtDecoder.withSecretKey(TokenMinter.secretKey("s", secret))
                .macAlgorithm(MacAlgorithm.HS256).build();
        decoder.setJwtValidator(jwt -> org.springframework.security.oauth2.core.OAuth2TokenValidatorResult.success());
        return decoder;
    }

    @Test
    void mintsAnHs256TokenWithIssuerSubjectRolesAndLifetime() {
        Jwt jwt = decoder(SECRET).decode(minter.token("alice", List.of("producer", "admin")));
        assertThat(jwt.getHeaders()).containsEntry("alg", "HS256");
        assertThat(jwt.getClaimAsString("iss")).isEqualTo("gateway");
        assertThat(jwt.getSubject()).isEqualTo("alice");
        assertThat(jwt.getClaimAsStringList("roles")).containsExactly("producer", "admin");
        assertThat(jwt.getExpiresAt()).isEqualTo(jwt.getIssuedAt().plus(Duration.ofMinutes(5)));
    }

    @Test
    void aServiceTokenNamesTheServiceAndCarriesNoRoles() {
        Jwt jwt = decoder(SECRET).decode(minter.authorization().substring("Bearer ".length()));
        assertThat(jwt.getSubject()).isEqualTo("gateway");
        assertThat(jwt.hasClaim("roles")).isFalse();
    }

    @Test
    void aTokenSignedWithAnotherSecretDoesNotVerify() {
        String token = minter.token("alice", List.of());
        assertThatThrownBy(() -> decoder("another-secret-that-is-long-enough-for-hs256").decode(token))
                .isInstanceOf(BadJwtException.class);
    }

    @Test
    void reusesATokenUntilHalfItsLifetimeThenMintsAFreshOne() {
        String first = minter.token("alice", List.of("producer"));
        clock.now = clock.now.plus(Duration.ofMinutes(2));
        assertThat(minter.token("alice", List.of("producer"))).isSameAs(first);
        assertThat(minter.token("bob", List.of("producer"))).isNotEqualTo(first);
        clock.now = clock.now.plus(Duration.ofSeconds(31));
        String fresh = minter.token("alice", List.of("producer"));
        assertThat(fresh).isNotEqualTo(first);
        assertThat(decoder(SECRET).decode(fresh).getExpiresAt()).isAfter(decoder(SECRET).decode(first).getExpiresAt());
    }

    @Test
    void refusesAShortOrMissingSecretNamingTheProperty() {
        assertThatThrownBy(() -> new TokenMinter("gateway", "short", Duration.ofMinutes(5), clock))
                .hasMessageContaining("tributary.identity.secret").hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> new TokenMinter("gateway", null, Duration.ofMinutes(5), clock))
                .hasMessageContaining("tributary.identity.secret is not set");
    }
}
