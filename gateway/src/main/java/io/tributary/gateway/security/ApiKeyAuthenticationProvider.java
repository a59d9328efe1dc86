package io.tributary.gateway.security;

import io.tributary.gateway.security.SecurityProperties.ApiKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.Authentication;

/**
 * Checks a presented API key against the configured ones ({@code gateway.security.api-keys}). Keys are compared by
 * SHA-256 digest in constant time, against every configured key, so that neither the time taken nor an early exit
 * tells which key (or how much of one) matched. An unknown key is a {@link BadCredentialsException} (401).
 */
final class ApiKeyAuthenticationProvider implements AuthenticationProvider {

    private static final Logger log = LoggerFactory.getLogger(ApiKeyAuthenticationProvider.class);

    private record Known(ApiKey key, byte[] digest) {
    }

    private final List<Known> keys;

    ApiKeyAuthenticationProvider(List<ApiKey> configured) {
        this.keys = configured.stream()
                .filter(k -> k.key() != null && !k.key().isBlank())
                .map(k -> new Known(k, sha256(k.key()))).toList();
        if (keys.isEmpty()) {
            log.warn("no API keys configured (gateway.security.api-keys): only bearer tokens, if configured, "
                    + "reach protected paths");
        }
        // names and roles only, never a secret (./run.sh prints the development key it starts the demo with)
        keys.forEach(k -> log.info("API key '{}' accepted, roles {}", k.key().name(), k.key().roles()));
        keys.stream().filter(k -> k.key().name() != null && k.key().name().toLowerCase(Locale.ROOT).startsWith("dev"))
                .forEach(k -> log.warn("development API key '{}' is active, roles {} (never in production)",
                        k.key().name(), k.key().roles()));
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        byte[] digest = sha256(((ApiKeyAuthentication) authentication).presented());
        ApiKey found = null;
        for (Known k : keys) { // no early exit: the time taken does not depend on which key matched
            if (MessageDigest.isEqual(k.digest(), digest)) {
                found = k.key();
            }
        }
        if (found == null) {
            throw new BadCredentialsException("unknown API key");
        }
        return ApiKeyAuthentication.authenticated(found);
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return ApiKeyAuthentication.class.isAssignableFrom(authentication);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
