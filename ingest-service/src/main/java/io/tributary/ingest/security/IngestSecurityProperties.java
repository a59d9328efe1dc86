package io.tributary.ingest.security;

import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Whose bearer tokens ingest accepts (docs/security.md, "Identity: who is calling").
 *
 * @param issuers the HS256 secret (at least 32 bytes) of each trusted token issuer, by {@code iss}: {@code gateway}
 *                (its tokens name a {@code User:<sub>} with the API key's roles), {@code stream-clean} and
 *                {@code analytics} (or any other service name: {@code Service:<iss>}), {@code ingest} (the peers:
 *                {@code Node:<sub>}; defaults to this node's own {@code tributary.identity.secret}). A token of
 *                another issuer is refused with 401. Only the development profile ships values; any other
 *                profile must set real ones ({@code INGEST_SECURITY_ISSUERS_GATEWAY}, ...)
 */
@ConfigurationProperties("ingest.security")
public record IngestSecurityProperties(@DefaultValue Map<String, String> issuers) {

    /** The property of one issuer's secret, for messages. */
    public static String property(String issuer) {
        return "ingest.security.issuers." + issuer;
    }
}
