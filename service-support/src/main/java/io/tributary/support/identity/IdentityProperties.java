package io.tributary.support.identity;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Who this application is when it calls another Tributary component: it signs short-lived bearer tokens
 * ({@code Authorization: Bearer <JWT>}, HS256) with {@code iss} = {@link #name}. The receiver (ingest-service)
 * holds the same secret under {@code ingest.security.issuers.<name>}. See docs/security.md, "Identity: who is
 * calling".
 *
 * @param name     the issuer of the tokens this application mints ({@code gateway}, {@code stream-clean},
 *                 {@code analytics}, {@code ingest}); defaults to {@code spring.application.name}
 * @param secret   the HS256 key, at least 32 bytes (UTF-8). Only the "default" (development) profile of each
 *                 application.yml carries one; any other profile must be given a real one
 *                 ({@code TRIBUTARY_IDENTITY_SECRET}) or the application refuses to start
 * @param tokenTtl how long a minted token is valid ({@code exp - iat}); a token is reused until half of it has passed
 */
@ConfigurationProperties("tributary.identity")
public record IdentityProperties(
        String name,
        String secret,
        @DefaultValue("5m") Duration tokenTtl) {

    /** The property naming the secret, for messages. */
    public static final String SECRET_PROPERTY = "tributary.identity.secret";
}
