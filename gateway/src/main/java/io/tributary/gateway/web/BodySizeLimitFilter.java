package io.tributary.gateway.web;

import io.tributary.support.problem.ProblemHandlerSupport;

import io.tributary.gateway.config.GatewayProperties;
import io.tributary.problem.ProblemType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.SocketTimeoutException;
import org.springframework.http.ProblemDetail;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Watches the client's side of every request body on its way to the upstream, so that the client's faults are never
 * taken for the upstream's (docs/gateway.md, "What counts as an upstream failure"):
 * <ul>
 *   <li>bodies over {@code gateway.max-request-size} get 413 problem+json: a declared {@code Content-Length} before
 *       anything is forwarded, a chunked body when the limit is crossed while it streams;</li>
 *   <li>an error reading the client's body (the client aborted, Tomcat's read timed out) becomes a
 *       {@link ClientBodyException};</li>
 *   <li>while the proxied call waits for the client's next bytes, {@link #isWaitingForClient} is true: a time limit
 *       that strikes then is the client's slowness (408), not the upstream's;</li>
 *   <li>a call's time limit ({@link #limitClientWait}) also bounds the body: a client still sending when it is up
 *       gets 408, checked around every read. (Tomcat's blocking read cannot be interrupted: a client that stops
 *       sending altogether is ended by Tomcat's own read timeout, {@code server.tomcat.connection-timeout}.)</li>
 * </ul>
 * Bodies are never buffered here.
 */
public class BodySizeLimitFilter extends OncePerRequestFilter {

    private static final String BODY_ATTRIBUTE = BodySizeLimitFilter.class.getName() + ".body";
    private static final String DEADLINE_ATTRIBUTE = BodySizeLimitFilter.class.getName() + ".deadline";

    private final long limit;
    private final Problems problems;

    public BodySizeLimitFilter(GatewayProperties properties, Problems problems) {
        this.limit = properties.maxRequestSize().toBytes();
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (request.getContentLengthLong() > limit) {
            problems.write(response, problem(limit));
            return;
        }
        chain.doFilter(new Watched(request, limit), response);
    }

    /**
     * Reading this request's body fails once {@link System#nanoTime()} passes {@code deadlineNanos} (the proxied
     * call's time limit): the client's slowness, 408.
     */
    public static void limitClientWait(HttpServletRequest request, long deadlineNanos) {
        request.setAttribute(DEADLINE_ATTRIBUTE, deadlineNanos);
    }

    public static ProblemDetail problem(long limit) {
        ProblemDetail problem = ProblemHandlerSupport.problem(ProblemType.PAYLOAD_TOO_LARGE,
                "request bodies through the gateway are limited to " + limit + " bytes (gateway.max-request-size)");
        problem.setProperty("maxRequestBytes", limit);
        return problem;
    }

    /** True when {@code t} or one of its causes is the abort of an over-long chunked body. */
    public static boolean isBodyTooLarge(Throwable t) {
        return Failures.find(t, BodyTooLargeException.class) != null;
    }

    public static long limitOf(Throwable t) {
        return Failures.find(t, BodyTooLargeException.class).limit;
    }

    /** True when {@code t} or one of its causes timed out reading the client's body. */
    public static boolean isClientBodyTimeout(Throwable t) {
        ClientBodyException e = Failures.find(t, ClientBodyException.class);
        return e != null && Failures.find(e, SocketTimeoutException.class) != null;
    }

    /** Whether the proxied call of this request is blocked reading the client's body right now (or failed so). */
    public static boolean isWaitingForClient(HttpServletRequest request) {
        return request.getAttribute(BODY_ATTRIBUTE) instanceof Counting body && body.waiting;
    }

    /** {@link #isWaitingForClient} for the request bound to the current thread, false when there is none. */
    public static boolean isCurrentRequestWaitingForClient() {
        RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
        return attributes instanceof ServletRequestAttributes servlet && isWaitingForClient(servlet.getRequest());
    }

    /** Reading the client's body failed: the client's fault, never the upstream's. */
    public static class ClientBodyException extends IOException {
        ClientBodyException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static final class BodyTooLargeException extends ClientBodyException {
        final long limit;

        BodyTooLargeException(long limit) {
            super("request body over " + limit + " bytes", null);
            this.limit = limit;
        }
    }

    /** A request whose body stream is watched. */
    private static final class Watched extends HttpServletRequestWrapper {
        private final long limit;
        private Counting stream;

        Watched(HttpServletRequest request, long limit) {
            super(request);
            this.limit = limit;
        }

        @Override
        public synchronized ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                stream = new Counting(super.getInputStream(), limit, this);
                setAttribute(BODY_ATTRIBUTE, stream);
            }
            return stream;
        }
    }

    private static final class Counting extends ServletInputStream {
        private final ServletInputStream in;
        private final long limit;
        private final HttpServletRequest request;
        private long count;
        /** A read from the client is under way, or ended in an error; false again after each successful read. */
        private volatile boolean waiting;

        Counting(ServletInputStream in, long limit, HttpServletRequest request) {
            this.in = in;
            this.limit = limit;
            this.request = request;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n <= 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            waiting = true;
            checkDeadline();
            int n;
            try {
                n = in.read(buffer, offset, length);
            } catch (IOException e) {
                throw new ClientBodyException("reading the request body failed", e);
            }
            checkDeadline();
            waiting = false;
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void checkDeadline() throws ClientBodyException {
            if (request.getAttribute(DEADLINE_ATTRIBUTE) instanceof Long deadline
                    && System.nanoTime() - deadline > 0) {
                throw new ClientBodyException("the request body did not arrive within the call's time limit",
                        new SocketTimeoutException("time limit of the call"));
            }
        }

        private void count(int n) throws IOException {
            count += n;
            if (count > limit) {
                throw new BodyTooLargeException(limit);
            }
        }

        @Override
        public boolean isFinished() {
            return in.isFinished();
        }

        @Override
        public boolean isReady() {
            return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }
    }
}
