package io.tributary.gateway.security;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * API keys, how bearer tokens map to roles, and rate limits. Keys come from configuration or secrets (e.g.
 * {@code GATEWAY_SECURITY_APIKEYS_0_NAME}, {@code _KEY}, {@code _ROLES}); only the development profile of
 * application.yml carries one. Bearer tokens are accepted when Spring Boot's
 * {@code spring.security.oauth2.resourceserver.jwt.*} names an issuer or a JWK set. With neither, every protected path
 * answers 401.
 *
 * @param header    the request header carrying the key
 * @param apiKeys   the accepted keys
 * @param jwt       how a verified bearer token becomes a caller with roles
 * @param rateLimit the limit each key or token subject gets unless configured otherwise
 */
@ConfigurationProperties("gateway.security")
public record SecurityProperties(
        @DefaultValue("X-Api-Key") String header,
        @DefaultValue List<ApiKey> apiKeys,
        @DefaultValue Jwt jwt,
        @DefaultValue RateLimit rateLimit) {

    /**
     * One accepted key.
     *
     * @param name      who holds it: shows in logs and names its rate limiter; never the secret itself
     * @param key       the secret sent in the header
     * @param roles     what it may do; none (or not set) is a valid "public only" key: it passes the paths any key
     *                  may use and gets 403 on every path that needs a role
     * @param rateLimit its own limit, replacing the default (optional)
     */
    public record ApiKey(String name, String key, Set<Role> roles, RateLimit rateLimit) {

        public ApiKey {
            roles = roles == null ? Set.of() : Set.copyOf(roles);
        }

        /** Never the secret: records print their components, and keys end up in log lines and exceptions. */
        @Override
        public String toString() {
            return "ApiKey[name=" + name + ", roles=" + roles + ", rateLimit=" + rateLimit + "]";
        }
    }

    /**
     * How a verified bearer token (JWT) becomes a caller.
     *
     * @param principalClaim the claim naming the caller (default {@code sub}); it is the name the services see
     *                       ({@code User:<name>}), so it must not collide with an API key's name
     * @param rolesClaim     the claim holding the roles (default {@code roles}); a dotted path reaches into nested
     *                       objects ({@code realm_access.roles}); a list of strings or one space- or comma-separated
     *                       string
     * @param roleMapping    claim values that name a role differently ({@code tributary-admin: admin}); values
     *                       neither mapped nor a role's name ({@code producer}, {@code consumer}, {@code admin},
     *                       {@code read-only}, any case) are ignored
     * @param rateLimit      the limit of each token subject (optional, else the default)
     */
    public record Jwt(@DefaultValue("sub") String principalClaim, @DefaultValue("roles") String rolesClaim,
                      @DefaultValue Map<String, Role> roleMapping, RateLimit rateLimit) {
    }

    /**
     * At most {@code limitForPeriod} requests per {@code refreshPeriod}, per key.
     *
     * @param limitForPeriod requests allowed in one period
     * @param refreshPeriod  the period
     */
    public record RateLimit(@DefaultValue("200") int limitForPeriod, @DefaultValue("1s") Duration refreshPeriod) {
    }
}
