package io.tributary.ingest.security;

import java.io.IOException;
import java.security.Principal;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.filter.GenericFilterBean;

/**
 * Exposes a verified token's principal through the servlet API: {@code getUserPrincipal().getName()} is the
 * contract's name ({@code User:alice}, {@code Service:stream-clean}, {@code Node:2}) and {@code isUserInRole(r)}
 * holds for the roles of a gateway token. A request without a token is passed on untouched (so its principal stays
 * whatever the container says: null in production, the one a MockMvc test sets in tests).
 */
class PrincipalRequestFilter extends GenericFilterBean {

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication instanceof JwtAuthenticationToken token && token.isAuthenticated()
                && request instanceof HttpServletRequest http) {
            chain.doFilter(new Authenticated(http, token), response);
        } else {
            chain.doFilter(request, response);
        }
    }

    private static final class Authenticated extends HttpServletRequestWrapper {
        private final JwtAuthenticationToken token;

        Authenticated(HttpServletRequest request, JwtAuthenticationToken token) {
            super(request);
            this.token = token;
        }

        @Override
        public Principal getUserPrincipal() {
            return token;
        }

        @Override
        public String getRemoteUser() {
            return token.getName();
        }

        @Override
        public boolean isUserInRole(String role) {
            String authority = "ROLE_" + role;
            return token.getAuthorities().stream().anyMatch(a -> authority.equals(a.getAuthority()));
        }

        @Override
        public String getAuthType() {
            return "BEARER";
        }
    }
}
