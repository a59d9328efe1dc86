package io.tributary.gateway.security;

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
import org.springframework.http.HttpHeaders;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Tells the services who is calling, in a way they can verify: after Spring Security has authenticated the caller
 * (an API key or a bearer token, {@link Caller}), the request goes upstream with {@code Authorization: Bearer <JWT>}
 * signed with the gateway's identity secret ({@code tributary.identity.secret}), {@code iss=gateway},
 * {@code sub} = the caller's name, {@code roles} = its roles. The caller's credentials never go upstream: the API key
 * header is removed and whatever {@code Authorization} the caller sent (its own token included) is replaced, so that
 * nobody can pass a token of their own through the gateway; a request without a caller (a public path) goes
 * upstream without one.
 */
public class IdentityForwardingFilter extends OncePerRequestFilter {

    private final TokenMinter minter;
    private final String apiKeyHeader;

    public IdentityForwardingFilter(TokenMinter minter, SecurityProperties properties) {
        this.minter = minter;
        this.apiKeyHeader = properties.header();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Caller caller = Caller.current();
        String authorization = caller == null ? null : "Bearer " + minter.token(caller.name(), roles(caller));
        chain.doFilter(new WithIdentity(request, apiKeyHeader, authorization), response);
    }

    private static List<String> roles(Caller caller) {
        return caller.roles().stream().map(Role::externalName).sorted().toList();
    }

    /** The request without the API key header and with {@code Authorization} replaced (or removed when null). */
    private static final class WithIdentity extends HttpServletRequestWrapper {
        private final String hidden;
        private final String authorization;

        WithIdentity(HttpServletRequest request, String hidden, String authorization) {
            super(request);
            this.hidden = hidden;
            this.authorization = authorization;
        }

        @Override
        public String getHeader(String name) {
            if (HttpHeaders.AUTHORIZATION.equalsIgnoreCase(name)) {
                return authorization;
            }
            return hidden.equalsIgnoreCase(name) ? null : super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            if (HttpHeaders.AUTHORIZATION.equalsIgnoreCase(name)) {
                return authorization == null ? Collections.emptyEnumeration()
                        : Collections.enumeration(List.of(authorization));
            }
            return hidden.equalsIgnoreCase(name) ? Collections.emptyEnumeration() : super.getHeaders(name);
        }

        @Override
        public Enumeration<String> getHeaderNames() {
            List<String> names = new ArrayList<>(Collections.list(super.getHeaderNames()));
            names.removeIf(n -> HttpHeaders.AUTHORIZATION.equalsIgnoreCase(n) || hidden.equalsIgnoreCase(n));
            if (authorization != null) {
                names.add(HttpHeaders.AUTHORIZATION);
            }
            return Collections.enumeration(names);
        }
    }
}
