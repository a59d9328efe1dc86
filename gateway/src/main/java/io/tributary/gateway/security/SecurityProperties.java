package io.tributary.gateway.security;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * API keys and rate limits. Keys come from configuration or secrets (e.g.
 * {@code GATEWAY_SECURITY_APIKEYS_0_NAME}, {@code _KEY}, {@code _ROLES}); only the development profile of
 * application.yml carries one. With no key configured every protected path answers 401.
 *
 * @param header    the request header carrying the key
 * @param apiKeys   the accepted keys
 * @param rateLimit the limit each key gets unless it names its own
 */
@ConfigurationProperties("gateway.security")
public record SecurityProperties(
        @DefaultValue("X-Api-Key") String header,
        @DefaultValue List<ApiKey> apiKeys,
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
     * At most {@code limitForPeriod} requests per {@code refreshPeriod}, per key.
     *
     * @param limitForPeriod requests allowed in one period
     * @param refreshPeriod  the period
     */
    public record RateLimit(@DefaultValue("200") int limitForPeriod, @DefaultValue("1s") Duration refreshPeriod) {
    }
}
