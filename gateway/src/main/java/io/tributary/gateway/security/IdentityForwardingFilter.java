package io.tributary.gateway.security;

import io.tributary.gateway.security.SecurityProperties.ApiKey;
import io.tributary.support.identity.TokenMinter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import org.springframework.http.HttpHeaders;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Tells the services who is calling, in a way they can verify: after {@link ApiKeyFilter} has authenticated a key,
 * the request goes upstream with {@code Authorization: Bearer <JWT>} signed with the gateway's identity secret
 * ({@code tributary.identity.secret}), {@code iss=gateway}, {@code sub} = the key's name, {@code roles} = its roles
 * (lower case). Whatever {@code Authorization} the caller sent is always dropped, so that nobody can pass a token
 * of their own through the gateway; a request without a key (a public path) goes upstream without one.
 */
public class IdentityForwardingFilter extends OncePerRequestFilter {

    private final TokenMinter minter;

    public IdentityForwardingFilter(TokenMinter minter) {
        this.minter = minter;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        ApiKey key = (ApiKey) request.getAttribute(ApiKeyFilter.KEY_ATTRIBUTE);
        String authorization = key == null ? null : "Bearer " + minter.token(key.name(), roles(key));
        chain.doFilter(new WithAuthorization(request, authorization), response);
    }

    private static List<String> roles(ApiKey key) {
        if (key.roles() == null) {
            return List.of();
        }
        return key.roles().stream().map(r -> r.name().toLowerCase(Locale.ROOT)).sorted().toList();
    }

    /** The request with {@code Authorization} replaced by the gateway's token (or removed when null). */
    private static final class WithAuthorization extends HttpServletRequestWrapper {
        private final String authorization;

        WithAuthorization(HttpServletRequest request, String authorization) {
            super(request);
            this.authorization = authorization;
        }

        @Override
        public String getHeader(String name) {
            return HttpHeaders.AUTHORIZATION.equalsIgnoreCase(name) ? authorization : super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            if (!HttpHeaders.AUTHORIZATION.equalsIgnoreCase(name)) {
                return super.getHeaders(name);
            }
            return authorization == null ? Collections.emptyEnumeration()
                    : Collections.enumeration(List.of(authorization));
        }

        @Override
        public Enumeration<String> getHeaderNames() {
            List<String> names = new ArrayList<>(Collections.list(super.getHeaderNames()));
            names.removeIf(HttpHeaders.AUTHORIZATION::equalsIgnoreCase);
            if (authorization != null) {
                names.add(HttpHeaders.AUTHORIZATION);
            }
            return Collections.enumeration(names);
        }
    }
}
