package io.tributary.ingest.security;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.AuthenticationManagerResolver;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * Remembers the bearer tokens already verified, until each one's {@code exp}: callers reuse one token for many
 * requests (the gateway mints one per caller and renews it after half its lifetime; the services and peer nodes do
 * the same), and parsing it twice (once for its issuer, once to verify) and checking its HMAC cost ingest about
 * 0.3 ms of CPU per request (bench/README.md, "The gateway, 2026-12-04").
 * <p>
 * Safe because a token's text fixes its signature: the same text verifies the same way until it expires, and the
 * issuers' secrets only change with a restart. Only successes are kept, never past {@code exp} itself (the full
 * check also allows clock skew beyond it, the cache does not), at most {@code maxEntries} of them: when full,
 * expired entries go, and if none had, all go.
 */
final class VerifiedTokenCache implements AuthenticationManagerResolver<HttpServletRequest> {

    private final AuthenticationManagerResolver<HttpServletRequest> verifier;
    private final Clock clock;
    private final int maxEntries;
    private final Map<String, JwtAuthenticationToken> verified = new ConcurrentHashMap<>();

    /**
     * @param verifier   the full check of a token not seen before (or expired here)
     * @param clock      what "expired" is measured against
     * @param maxEntries how many verified tokens are kept at most
     */
    VerifiedTokenCache(AuthenticationManagerResolver<HttpServletRequest> verifier, Clock clock, int maxEntries) {
        this.verifier = verifier;
        this.clock = clock;
        this.maxEntries = maxEntries;
    }

    @Override
    public AuthenticationManager resolve(HttpServletRequest request) {
        return authentication -> authenticate(request, authentication);
    }

    private Authentication authenticate(HttpServletRequest request, Authentication authentication) {
        if (!(authentication instanceof BearerTokenAuthenticationToken bearer)) {
            return verifier.resolve(request).authenticate(authentication);
        }
        String token = bearer.getToken();
        Instant now = clock.instant();
        JwtAuthenticationToken known = verified.get(token);
        if (known != null) {
            if (now.isBefore(expiresAt(known))) {
                // a copy carrying this request's details (its remote address), not the first request's
                JwtAuthenticationToken copy = new JwtAuthenticationToken(known.getToken(), known.getAuthorities(),
                        known.getName());
                copy.setDetails(bearer.getDetails());
                return copy;
            }
            verified.remove(token, known);
        }
        Authentication result = verifier.resolve(request).authenticate(authentication);
        if (result instanceof JwtAuthenticationToken jwt && jwt.getToken().getExpiresAt() != null
                && now.isBefore(jwt.getToken().getExpiresAt())) {
            makeRoom(now);
            verified.put(token, jwt);
        }
        return result;
    }

    private void makeRoom(Instant now) {
        if (verified.size() < maxEntries) {
            return;
        }
        verified.values().removeIf(v -> !now.isBefore(expiresAt(v)));
        if (verified.size() >= maxEntries) {
            verified.clear();
        }
    }

    /** Only tokens with an {@code exp} are kept, so it is never null here. */
    private static Instant expiresAt(JwtAuthenticationToken kept) {
        return kept.getToken().getExpiresAt();
    }

    /** How many verified tokens are kept now. */
    int size() {
        return verified.size();
    }
}
