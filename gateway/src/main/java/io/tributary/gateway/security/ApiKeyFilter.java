package io.tributary.gateway.security;

import static io.tributary.support.problem.ProblemHandlerSupport.problem;

import io.tributary.gateway.security.AccessRules.Access;
import io.tributary.gateway.security.SecurityProperties.ApiKey;
import io.tributary.gateway.web.Problems;
import io.tributary.problem.ProblemType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ProblemDetail;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates the API key header and checks the role the path needs ({@link AccessRules}): 401 problem+json
 * without a valid key, 403 with a key lacking the role. A valid key is left in the request attribute
 * {@link #KEY_ATTRIBUTE} for the rate limiter; the header itself is removed before the request is forwarded. Keys are compared by
 * SHA-256 digest in constant time, against every configured key.
 */
public class ApiKeyFilter extends OncePerRequestFilter {

    /** Request attribute with the authenticated {@link ApiKey}. */
    public static final String KEY_ATTRIBUTE = ApiKeyFilter.class.getName() + ".key";

    private static final Logger log = LoggerFactory.getLogger(ApiKeyFilter.class);

    private record Known(ApiKey key, byte[] digest) {
    }

    private final String header;
    private final List<Known> keys;
    private final AccessRules rules = new AccessRules();
    private final Problems problems;

    public ApiKeyFilter(SecurityProperties properties, Problems problems) {
        this.header = properties.header();
        this.keys = properties.apiKeys().stream()
                .filter(k -> k.key() != null && !k.key().isBlank())
                .map(k -> new Known(k, sha256(k.key()))).toList();
        this.problems = problems;
        if (keys.isEmpty()) {
            log.warn("no API keys configured (gateway.security.api-keys): every protected path answers 401");
        }
        // names and roles only, never a secret (./run.sh prints the development key it starts the demo with)
        keys.forEach(k -> log.info("API key '{}' accepted, roles {}", k.key().name(), k.key().roles()));
        keys.stream().filter(k -> k.key().name() != null && k.key().name().toLowerCase(Locale.ROOT).startsWith("dev"))
                .forEach(k -> log.warn("development API key '{}' is active, roles {} (never in production)",
                        k.key().name(), k.key().roles()));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Access access = rules.required(request.getMethod(), request.getRequestURI());
        String presented = request.getHeader(header);
        ApiKey key = presented == null ? null : find(presented);
        if (access != Access.PUBLIC) {
            if (key == null) {
                response.setHeader("WWW-Authenticate", "ApiKey header=\"" + header + "\"");
                problems.write(response, problem(ProblemType.UNAUTHORIZED,
                        presented == null ? "send an API key in the " + header + " header" : "unknown API key"));
                return;
            }
            if (!AccessRules.allows(key.roles(), access)) {
                ProblemDetail problem = problem(ProblemType.FORBIDDEN, "API key '" + key.name() + "' lacks the "
                        + access.name().toLowerCase(Locale.ROOT) + " role needed for " + request.getMethod() + " "
                        + request.getRequestURI());
                problem.setProperty("requiredRole", access.name().toLowerCase(Locale.ROOT));
                problems.write(response, problem);
                return;
            }
        }
        if (key != null) {
            request.setAttribute(KEY_ATTRIBUTE, key);
        }
        chain.doFilter(new WithoutHeader(request, header), response);
    }

    /** The request minus the API key header, so that no service behind the gateway ever sees a key. */
    private static final class WithoutHeader extends HttpServletRequestWrapper {
        private final String hidden;

        WithoutHeader(HttpServletRequest request, String hidden) {
            super(request);
            this.hidden = hidden;
        }

        @Override
        public String getHeader(String name) {
            return hidden.equalsIgnoreCase(name) ? null : super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            return hidden.equalsIgnoreCase(name) ? Collections.emptyEnumeration() : super.getHeaders(name);
        }

        @Override
        public Enumeration<String> getHeaderNames() {
            List<String> names = new ArrayList<>(Collections.list(super.getHeaderNames()));
            names.removeIf(hidden::equalsIgnoreCase);
            return Collections.enumeration(names);
        }
    }

    private ApiKey find(String presented) {
        byte[] digest = sha256(presented);
        ApiKey found = null;
        for (Known k : keys) { // no early exit: the time taken does not depend on which key matched
            if (MessageDigest.isEqual(k.digest(), digest)) {
                found = k.key();
            }
        }
        return found;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
