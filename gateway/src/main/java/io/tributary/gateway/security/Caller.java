package io.tributary.gateway.security;

import io.tributary.gateway.security.SecurityProperties.RateLimit;
import java.util.EnumSet;
import java.util.Set;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * Who an authenticated request comes from, whatever the scheme: the name the services see ({@code User:<name>}),
 * its roles, and the rate limit it gets. Read from Spring Security's context by the filters after the security
 * chain (identity forwarding, rate limit).
 *
 * @param name      the API key's name or the token's principal claim
 * @param roles     what it may do
 * @param scheme    how it authenticated
 * @param rateLimit its own limit, or null for the default
 */
public record Caller(String name, Set<Role> roles, Scheme scheme, RateLimit rateLimit) {

    /** How a caller proved who it is. */
    public enum Scheme {
        API_KEY("API key"), BEARER_TOKEN("token subject");

        private final String label;

        Scheme(String label) {
            this.label = label;
        }
    }

    public Caller {
        roles = Set.copyOf(roles); // the same instance when already unmodifiable (an API key's roles)
    }

    /** "API key 'billing'" or "token subject 'alice'", for problem details and logs. */
    public String describe() {
        return scheme.label + " '" + name + "'";
    }

    /** The caller of the current request, or null for an anonymous one (a public path). */
    public static Caller current() {
        return of(SecurityContextHolder.getContext().getAuthentication());
    }

    static Caller of(Authentication authentication) {
        if (authentication instanceof ApiKeyAuthentication key && key.isAuthenticated()) {
            return new Caller(key.getName(), key.key().roles(), Scheme.API_KEY, key.key().rateLimit());
        }
        if (authentication instanceof JwtAuthenticationToken token && token.isAuthenticated()) {
            Set<Role> roles = EnumSet.noneOf(Role.class);
            for (GrantedAuthority authority : token.getAuthorities()) {
                Role.ofAuthority(authority.getAuthority()).ifPresent(roles::add);
            }
            return new Caller(token.getName(), roles, Scheme.BEARER_TOKEN, null);
        }
        if (authentication == null || authentication instanceof AnonymousAuthenticationToken) {
            return null;
        }
        throw new IllegalStateException("unexpected authentication " + authentication.getClass().getName());
    }
}
