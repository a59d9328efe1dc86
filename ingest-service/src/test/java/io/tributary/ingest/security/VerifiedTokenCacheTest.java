package io.tributary.ingest.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.authentication.AuthenticationManagerResolver;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/** A token verified once is served from memory until its expiry, and nothing else ever is. */
class VerifiedTokenCacheTest {

    private static final Instant START = Instant.parse("2026-12-04T10:00:00Z");

    private final MutableClock clock = new MutableClock();
    private final AtomicInteger verifications = new AtomicInteger();
    private final MockHttpServletRequest request = new MockHttpServletRequest();

    /** Verifies every token named "good-..." (expiring 5 minutes after START), refuses any other. */
    private final AuthenticationManagerResolver<HttpServletRequest> verifier = r -> authentication -> {
        verifications.incrementAndGet();
        String token = ((BearerTokenAuthenticationToken) authentication).getToken();
        if (!token.startsWith("good-")) {
            throw new BadCredentialsException("bad signature");
        }
        Jwt jwt = Jwt.withTokenValue(token).header("alg", "HS256").subject(token).issuedAt(START)
                .expiresAt(START.plus(Duration.ofMinutes(5))).build();
        return new JwtAuthenticationToken(jwt, List.of(new SimpleGrantedAuthority("ROLE_producer")), "User:" + token);
    };

    private Authentication authenticate(VerifiedTokenCache cache, String token) {
        return cache.resolve(request).authenticate(new BearerTokenAuthenticationToken(token));
    }

    @Test
    void aTokenIsVerifiedOnceAndThenServedUntilItExpires() {
        VerifiedTokenCache cache = new VerifiedTokenCache(verifier, clock, 100);

        Authentication first = authenticate(cache, "good-a");
        clock.advance(Duration.ofMinutes(4));
        Authentication again = authenticate(cache, "good-a");

        assertThat(again.getName()).isEqualTo("User:good-a");
        assertThat(again.getAuthorities()).extracting(Object::toString).containsExactly("ROLE_producer");
        assertThat(((JwtAuthenticationToken) again).getToken()).isSameAs(((JwtAuthenticationToken) first).getToken());
        assertThat(verifications).hasValue(1);

        clock.advance(Duration.ofMinutes(1)); // exactly at exp: checked in full again
        authenticate(cache, "good-a");
        assertThat(verifications).hasValue(2);
    }

    @Test
    void eachTokenIsVerifiedOnItsOwn() {
        VerifiedTokenCache cache = new VerifiedTokenCache(verifier, clock, 100);

        assertThat(authenticate(cache, "good-a").getName()).isEqualTo("User:good-a");
        assertThat(authenticate(cache, "good-b").getName()).isEqualTo("User:good-b");

        assertThat(verifications).hasValue(2);
        assertThat(cache.size()).isEqualTo(2);
    }

    @Test
    void aRefusedTokenIsRefusedEveryTimeAndNeverRemembered() {
        VerifiedTokenCache cache = new VerifiedTokenCache(verifier, clock, 100);

        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> authenticate(cache, "forged")).isInstanceOf(BadCredentialsException.class);
        }

        assertThat(verifications).hasValue(2);
        assertThat(cache.size()).isZero();
    }

    @Test
    void itKeepsNoMoreThanItsLimit() {
        VerifiedTokenCache cache = new VerifiedTokenCache(verifier, clock, 3);

        for (int i = 0; i < 10; i++) {
            authenticate(cache, "good-" + i);
            assertThat(cache.size()).isLessThanOrEqualTo(3);
        }
        assertThat(authenticate(cache, "good-9").getName()).isEqualTo("User:good-9");
    }

    private static final class MutableClock extends Clock {
        private Instant now = START;

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
