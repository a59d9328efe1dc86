package io.tributary.gateway.resilience;

import static io.tributary.support.problem.ProblemHandlerSupport.problem;

import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.micrometer.core.instrument.MeterRegistry;
import io.tributary.gateway.web.BodySizeLimitFilter;
import io.tributary.gateway.web.Failures;
import io.tributary.gateway.web.Problems;
import io.tributary.problem.ProblemType;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * The answer when a proxied call did not produce the upstream's answer. Says whose fault it was, as problem+json:
 * <ul>
 *   <li>the client's: 413 body too large, 408 body too slow (the time limit struck while waiting for its bytes, or
 *       Tomcat's read timed out), 400 body unreadable;</li>
 *   <li>the gateway's capacity: 503 {@code gateway-busy} (the route's concurrency limit, retriable);</li>
 *   <li>the upstream's: 504 {@code upstream-timeout}, 503 {@code upstream-unavailable} (connection failed, or the
 *       breaker is open);</li>
 *   <li>the gateway's own error: 500 {@code gateway-error}, logged with its stack trace, not shown.</li>
 * </ul>
 * Only the upstream's failures count in its breaker ({@link Failures}). Each answer is counted in the metric
 * {@code gateway.fallbacks} (tags {@code service}, {@code problem}: the problem's slug).
 */
@Component
class Fallbacks {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Fallbacks.class);

    private static final Map<String, String> SERVICES = Map.of(
            "ingest", "ingest-service", "clean", "stream-clean-service", "analytics", "analytics-service");

    private final MeterRegistry meters;
    private final Problems problems;

    Fallbacks(MeterRegistry meters, Problems problems) {
        this.meters = meters;
        this.problems = problems;
    }

    /** The answer to a call of breaker {@code id} that ended in {@code cause} instead of the upstream's answer. */
    ServerResponse answer(String id, Throwable cause, ServerRequest request) {
        String service = SERVICES.getOrDefault(id, id);
        HttpServletRequest servlet = request.servletRequest();
        ProblemDetail problem = classify(service, cause, servlet);
        String type = problem.getType().toString();
        meters.counter("gateway.fallbacks", "service", SERVICES.containsKey(id) ? service : "other",
                "problem", type.substring(type.lastIndexOf('/') + 1)).increment();
        // the path the caller asked for, before any of the route's rewrites
        problem.setInstance(URI.create(servlet.getRequestURI()));
        ServerResponse.BodyBuilder builder = ServerResponse.status(problem.getStatus());
        if (problem.getStatus() == HttpStatus.SERVICE_UNAVAILABLE.value()) {
            builder.header("Retry-After", ProblemType.GATEWAY_BUSY.is(type) ? "1" : "5");
        }
        return builder.build((req, res) -> {
            problems.write(res, problem);
            return null;
        });
    }

    private static ProblemDetail classify(String service, Throwable cause, HttpServletRequest request) {
        if (BodySizeLimitFilter.isBodyTooLarge(cause)) {
            return BodySizeLimitFilter.problem(BodySizeLimitFilter.limitOf(cause));
        }
        if (BodySizeLimitFilter.isClientBodyTimeout(cause)
                || (Failures.find(cause, TimeoutException.class) != null
                        && BodySizeLimitFilter.isWaitingForClient(request))) {
            log.info("request body for {} too slow: {}", service, String.valueOf(cause));
            return problem(ProblemType.REQUEST_TIMEOUT,
                    "the request body did not arrive in time; the gateway gave up waiting for it");
        }
        if (Failures.find(cause, BodySizeLimitFilter.ClientBodyException.class) != null) {
            log.info("request body for {} unreadable: {}", service, String.valueOf(cause));
            return problem(ProblemType.BAD_REQUEST_BODY, "the request body could not be read to its end");
        }
        ProblemDetail problem;
        if (Failures.find(cause, BulkheadFullException.class) != null) {
            problem = problem(ProblemType.GATEWAY_BUSY, "too many requests to " + service
                    + " are in flight through this gateway; retry shortly (gateway.resilience.max-concurrent-calls)");
        } else if (Failures.find(cause, TimeoutException.class) != null) {
            log.info("fallback for {}: {}", service, String.valueOf(cause));
            problem = problem(ProblemType.UPSTREAM_TIMEOUT, service + " did not answer in time");
        } else if (Failures.find(cause, CallNotPermittedException.class) != null) {
            log.info("fallback for {}: {}", service, String.valueOf(cause));
            problem = problem(ProblemType.UPSTREAM_UNAVAILABLE,
                    service + " is unavailable: its circuit breaker is open after repeated failures");
        } else if (Failures.isUpstreamFailure(cause)) {
            log.info("fallback for {}: {}", service, String.valueOf(cause));
            problem = problem(ProblemType.UPSTREAM_UNAVAILABLE, service + " is unavailable: it could not be reached");
        } else {
            log.error("the gateway failed proxying {} {} to {}", request.getMethod(), request.getRequestURI(),
                    service, cause);
            problem = problem(ProblemType.GATEWAY_ERROR,
                    "the gateway failed to proxy this request to " + service + "; not counted against it");
        }
        problem.setProperty("service", service);
        return problem;
    }
}
