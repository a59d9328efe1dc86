package io.tributary.gateway.web;

import static io.tributary.support.problem.ProblemHandlerSupport.problem;

import io.tributary.gateway.config.GatewayProperties;
import io.tributary.problem.ProblemType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.springframework.http.ProblemDetail;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Decides, once per request and before any route, how the gateway was reached: what {@link ForwardedHeadersWriter}
 * tells the services in {@code X-Forwarded-Host/Proto/Port/Prefix/For}.
 * <ul>
 *   <li>A caller that is not a trusted proxy ({@code gateway.forwarded.trusted-proxies}, none by default): its
 *       {@code Forwarded} and {@code X-Forwarded-*} headers are ignored, whatever they contain; the view is the
 *       gateway's own (scheme, {@code Host}, port, the caller's address).</li>
 *   <li>A trusted proxy: its {@code X-Forwarded-Proto/Host/Port/Prefix/For} are taken (first value of each, the
 *       caller's address appended to the {@code For} chain); a malformed value is refused with 400 problem+json
 *       ({@code bad-forwarded-header}), because it means a misconfigured proxy, not a hostile client.</li>
 * </ul>
 * The RFC 7239 {@code Forwarded} header is never taken nor sent: proxies in front of the gateway use
 * {@code X-Forwarded-*}.
 */
public class ForwardedHeadersFilter extends OncePerRequestFilter {

    /** Request attribute holding the {@link View} of this request. */
    public static final String VIEW_ATTRIBUTE = ForwardedHeadersFilter.class.getName() + ".view";

    private static final Pattern PROTO = Pattern.compile("(?i)https?");
    private static final Pattern HOST = Pattern.compile("([A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*|\\[[0-9A-Fa-f:.]+\\])(:\\d{1,5})?");
    private static final Pattern PORT = Pattern.compile("\\d{1,5}");
    private static final Pattern PREFIX = Pattern.compile("(/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)+");
    private static final Pattern NODE = Pattern.compile("[A-Za-z0-9._:\\[\\]-]{1,64}");

    /**
     * How the request reached the gateway.
     *
     * @param proto  {@code http} or {@code https}
     * @param host   host, with {@code :port} unless the default
     * @param port   the port, or null when a trusted proxy named a host but no port (the default of {@code proto})
     * @param prefix path prefix a trusted proxy mounted the gateway at, or null
     * @param forChain the client address chain, last entry the gateway's immediate caller
     */
    public record View(String proto, String host, String port, String prefix, String forChain) {
    }

    private final GatewayProperties.Forwarded policy;
    private final Problems problems;

    public ForwardedHeadersFilter(GatewayProperties properties, Problems problems) {
        this.policy = properties.forwarded();
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        View view;
        if (policy.trusts(request.getRemoteAddr())) {
            try {
                view = fromTrustedProxy(request);
            } catch (IllegalArgumentException e) {
                ProblemDetail problem = problem(ProblemType.BAD_FORWARDED_HEADER, e.getMessage());
                problems.write(response, problem);
                return;
            }
        } else {
            view = own(request);
        }
        request.setAttribute(VIEW_ATTRIBUTE, view);
        chain.doFilter(request, response);
    }

    /** The gateway's own view of the request: nothing the caller claims in forwarding headers. */
    public static View own(HttpServletRequest request) {
        String proto = request.getScheme().toLowerCase(Locale.ROOT);
        int port = request.getServerPort();
        String host = request.getServerName();
        if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        boolean defaultPort = port <= 0 || (port == 80 && proto.equals("http")) || (port == 443 && proto.equals("https"));
        return new View(proto, defaultPort ? host : host + ":" + port,
                Integer.toString(port > 0 ? port : proto.equals("https") ? 443 : 80), null, request.getRemoteAddr());
    }

    private static View fromTrustedProxy(HttpServletRequest request) {
        View own = own(request);
        String proto = first(request, "X-Forwarded-Proto", PROTO);
        String host = first(request, "X-Forwarded-Host", HOST);
        String port = first(request, "X-Forwarded-Port", PORT);
        if (port != null && (Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535)) {
            throw new IllegalArgumentException("X-Forwarded-Port must be a port number");
        }
        String prefix = first(request, "X-Forwarded-Prefix", PREFIX);
        List<String> chain = new ArrayList<>();
        for (String value : java.util.Collections.list(request.getHeaders("X-Forwarded-For"))) {
            for (String node : value.split(",")) {
                String n = node.trim();
                if (!NODE.matcher(n).matches()) {
                    throw new IllegalArgumentException("X-Forwarded-For from a trusted proxy must list addresses");
                }
                chain.add(n);
            }
        }
        chain.add(request.getRemoteAddr());
        return new View(proto != null ? proto.toLowerCase(Locale.ROOT) : own.proto(),
                host != null ? host : own.host(),
                port != null ? port : host != null || proto != null ? null : own.port(),
                prefix, String.join(", ", chain));
    }

    /** The first comma-separated value of the first header {@code name}, checked against {@code syntax}. */
    private static String first(HttpServletRequest request, String name, Pattern syntax) {
        String value = request.getHeader(name);
        if (value == null) {
            return null;
        }
        int comma = value.indexOf(',');
        String first = (comma >= 0 ? value.substring(0, comma) : value).trim();
        if (first.length() > 255 || !syntax.matcher(first).matches()) {
            throw new IllegalArgumentException(name + " from a trusted proxy is malformed");
        }
        return first;
    }
}
