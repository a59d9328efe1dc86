package io.tributary.gateway.security;

import io.tributary.gateway.security.SecurityProperties.ApiKey;
import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * An API key as a Spring Security authentication: unauthenticated while it carries only the presented secret
 * ({@link #presented}), authenticated once {@link ApiKeyAuthenticationProvider} found the configured key, with the
 * key's roles as authorities. The secret is never kept in the authenticated token.
 */
final class ApiKeyAuthentication extends AbstractAuthenticationToken {

    private final transient String presented;
    private final transient ApiKey key;

    private ApiKeyAuthentication(String presented, ApiKey key) {
        super(key == null ? List.of() : key.roles().stream().map(r -> new SimpleGrantedAuthority(r.authority()))
                .toList());
        this.presented = presented;
        this.key = key;
        setAuthenticated(key != null);
    }

    /** What a request presented, to be checked. */
    static ApiKeyAuthentication unauthenticated(String presented) {
        return new ApiKeyAuthentication(presented, null);
    }

    /** A configured key that was presented. */
    static ApiKeyAuthentication authenticated(ApiKey key) {
        return new ApiKeyAuthentication(null, key);
    }

    String presented() {
        return presented;
    }

    ApiKey key() {
        return key;
    }

    @Override
    public Object getCredentials() {
        return null; // never the secret
    }

    @Override
    public Object getPrincipal() {
        return key == null ? null : key.name();
    }

    @Override
    public String getName() {
        return key == null ? "" : key.name();
    }
}
