package io.tributary.support;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.MDC;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Gives every request an id: the caller's {@code X-Request-Id} when it is acceptable (1 to 128 characters of
 * {@code [A-Za-z0-9._:-]}), otherwise a new random UUID. The id is
 * <ul>
 * <li>put in the logging MDC under {@value #MDC_KEY} for the request's lifetime (async dispatches included),</li>
 * <li>returned in the response's {@code X-Request-Id} header, exactly once: later writes of that header are
 * ignored, so a proxied upstream's copy of the same id does not show up twice,</li>
 * <li>visible to the rest of the chain as the request's {@code X-Request-Id} header even when it was generated, so
 * a proxy (the gateway) forwards it upstream without knowing about this filter,</li>
 * <li>kept in the request attribute {@value #ATTRIBUTE}.</li>
 * </ul>
 * A malformed incoming id is replaced rather than rejected: it would otherwise end up in log lines unescaped.
 * Thread-safe and stateless.
 */
public class RequestIdFilter extends OncePerRequestFilter {

    /** The header read from the caller, returned to it and forwarded upstream. */
    public static final String HEADER = "X-Request-Id";

    /** MDC key; the services' {@code logging.pattern.level} prints it. */
    public static final String MDC_KEY = "requestId";

    /** Request attribute holding the id. */
    public static final String ATTRIBUTE = RequestIdFilter.class.getName() + ".id";

    private static final Pattern ACCEPTED = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    @Override
    protected boolean shouldNotFilterAsyncDispatch() {
        return false; // long-poll fetches complete on an async dispatch: log it with the same id
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String id = (String) request.getAttribute(ATTRIBUTE);
        if (id == null) {
            id = acceptOrGenerate(request.getHeader(HEADER));
            request.setAttribute(ATTRIBUTE, id);
        }
        if (!response.containsHeader(HEADER)) {
            response.setHeader(HEADER, id);
        }
        MDC.put(MDC_KEY, id);
        try {
            chain.doFilter(new WithRequestId(request, id), new OneRequestIdHeader(response));
        } finally {
            MDC.remove(MDC_KEY);
        }
    }

    /** The incoming id if acceptable, else a new one. */
    static String acceptOrGenerate(String incoming) {
        if (incoming != null && ACCEPTED.matcher(incoming).matches()) {
            return incoming;
        }
        return UUID.randomUUID().toString();
    }

    /** Keeps the first {@code X-Request-Id} header written: this filter's. */
    private static final class OneRequestIdHeader extends HttpServletResponseWrapper {

        OneRequestIdHeader(HttpServletResponse response) {
            super(response);
        }

        @Override
        public void setHeader(String name, String value) {
            if (!HEADER.equalsIgnoreCase(name) || !containsHeader(HEADER)) {
                super.setHeader(name, value);
            }
        }

        @Override
        public void addHeader(String name, String value) {
            if (!HEADER.equalsIgnoreCase(name) || !containsHeader(HEADER)) {
                super.addHeader(name, value);
            }
        }
    }

    /** Presents exactly one {@code X-Request-Id} header: the chosen id. */
    private static final class WithRequestId extends HttpServletRequestWrapper {

        private final String id;

        WithRequestId(HttpServletRequest request, String id) {
            super(request);
            this.id = id;
        }

        @Override
        public String getHeader(String name) {
            return HEADER.equalsIgnoreCase(name) ? id : super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            return HEADER.equalsIgnoreCase(name) ? Collections.enumeration(Set.of(id)) : super.getHeaders(name);
        }

        @Override
        public Enumeration<String> getHeaderNames() {
            Set<String> names = new LinkedHashSet<>(Collections.list(super.getHeaderNames()));
            names.removeIf(HEADER::equalsIgnoreCase);
            names.add(HEADER);
            return Collections.enumeration(names);
        }
    }
}
