package io.tributary.support.identity;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;

/**
 * Mints this application's bearer tokens: HS256 JWTs with {@code iss} (this application's identity name),
 * {@code sub}, optionally {@code roles}, {@code iat} and {@code exp}. A token is cached per (subject, roles) and
 * reused until half of its lifetime has passed, so the hot path (every proxied or client request) is a map lookup;
 * a fresh one is minted well before the old one expires.
 */
public final class TokenMinter {

    /** Minimum key length for HS256 (RFC 7518 section 3.2). */
    public static final int MIN_SECRET_BYTES = 32;

    /** Beyond this many cached subjects the cache starts over (subjects come from configuration: keys, node ids). */
    private static final int MAX_CACHED = 10_000;

    private record Key(String subject, List<String> roles) {
    }

    private record Minted(String token, Instant refreshAt) {
    }

    private final String issuer;
    private final JwtEncoder encoder;
    private final Duration ttl;
    private final Clock clock;
    private final Map<Key, Minted> cache = new ConcurrentHashMap<>();

    /**
     * @param issuer the {@code iss} claim
     * @param secret the HS256 key (UTF-8 bytes, at least {@value #MIN_SECRET_BYTES})
     * @param ttl    token lifetime
     * @param clock  for {@code iat}/{@code exp}
     */
    public TokenMinter(String issuer, String secret, Duration ttl, Clock clock) {
        if (issuer == null || issuer.isBlank()) {
            throw new IllegalArgumentException("tributary.identity.name must not be blank");
        }
        if (ttl == null || ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("tributary.identity.token-ttl must be positive, was " + ttl);
        }
        this.issuer = issuer;
        this.encoder = NimbusJwtEncoder.withSecretKey(secretKey(IdentityProperties.SECRET_PROPERTY, secret)).build();
        this.ttl = ttl;
        this.clock = clock;
    }

    /**
     * The HS256 key of a configured secret.
     *
     * @throws IllegalArgumentException naming {@code property} when the secret is missing or shorter than 32 bytes
     */
    public static SecretKey secretKey(String property, String secret) {
        if (secret == null || secret.isBlank()) {
            throw new IllegalArgumentException(property + " is not set: an HS256 secret of at least "
                    + MIN_SECRET_BYTES + " bytes is required");
        }
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException(property + " is too short (" + bytes.length
                    + " bytes): an HS256 secret needs at least " + MIN_SECRET_BYTES + " bytes");
        }
        return new SecretKeySpec(bytes, "HmacSHA256");
    }

    /** The {@code iss} of every token minted here. */
    public String issuer() {
        return issuer;
    }

    /** A token for this application itself ({@code sub} = its own name, no roles). */
    public String token() {
        return token(issuer, List.of());
    }

    /** A token naming {@code subject} with {@code roles} (empty: no {@code roles} claim). */
    public String token(String subject, Collection<String> roles) {
        Key key = new Key(subject, List.copyOf(roles));
        Instant now = clock.instant();
        Minted minted = cache.get(key);
        if (minted == null || !now.isBefore(minted.refreshAt())) {
            if (cache.size() >= MAX_CACHED) {
                cache.clear();
            }
            minted = new Minted(mint(key, now), now.plus(ttl.dividedBy(2)));
            cache.put(key, minted);
        }
        return minted.token();
    }

    /** {@code "Bearer " + token()}: the {@code Authorization} header value for this application's own calls. */
    public String authorization() {
        return "Bearer " + token();
    }

    /**
     * {@code Authorization: Bearer <token()>} as a header map, fresh on each call (a cache hit): the
     * {@code extraHeaders} of an ingest client's settings, so that every request carries this application's identity.
     */
    public Map<String, String> authorizationHeaders() {
        return Map.of("Authorization", authorization());
    }

    private String mint(Key key, Instant now) {
        JwtClaimsSet.Builder claims = JwtClaimsSet.builder()
                .issuer(issuer)
                .subject(key.subject())
                .issuedAt(now)
                .expiresAt(now.plus(ttl));
        if (!key.roles().isEmpty()) {
            claims.claim("roles", key.roles());
        }
        return encoder.encode(JwtEncoderParameters.from(JwsHeader.with(MacAlgorithm.HS256).build(), claims.build()))
                .getTokenValue();
    }
}
