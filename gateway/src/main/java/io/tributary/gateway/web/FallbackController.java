package io.tributary.gateway.web;

import static io.tributary.support.problem.ProblemHandlerSupport.problem;

import io.tributary.problem.ProblemType;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.micrometer.core.instrument.MeterRegistry;
import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.springframework.cloud.gateway.server.mvc.common.MvcUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Where a route's circuit breaker forwards whenever the proxied call did not produce the upstream's answer. Says
 * whose fault it was, as problem+json:
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
@Hidden
@RestController
class FallbackController {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(FallbackController.class);

    private static final Map<String, String> SERVICES = Map.of(
            "ingest", "ingest-service", "clean", "stream-clean-service", "analytics", "analytics-service");

    private final MeterRegistry meters;

    FallbackController(MeterRegistry meters) {
        this.meters = meters;
    }

    @RequestMapping("/fallback/{route}")
    ResponseEntity<ProblemDetail> fallback(@PathVariable String route, HttpServletRequest request) {
        String service = SERVICES.getOrDefault(route, route);
        ResponseEntity<ProblemDetail> answer = answer(service, request);
        String type = answer.getBody().getType().toString();
        meters.counter("gateway.fallbacks", "service", SERVICES.containsKey(route) ? service : "other",
                "problem", type.substring(type.lastIndexOf('/') + 1)).increment();
        return answer;
    }

    private ResponseEntity<ProblemDetail> answer(String service, HttpServletRequest request) {
        Throwable cause = (Throwable) request.getAttribute(MvcUtils.CIRCUITBREAKER_EXECUTION_EXCEPTION_ATTR);
        if (BodySizeLimitFilter.isBodyTooLarge(cause)) {
            return respond(BodySizeLimitFilter.problem(BodySizeLimitFilter.limitOf(cause)), request, null);
        }
        if (BodySizeLimitFilter.isClientBodyTimeout(cause)
                || (Failures.find(cause, TimeoutException.class) != null
                        && BodySizeLimitFilter.isWaitingForClient(request))) {
            log.info("request body for {} too slow: {}", service, String.valueOf(cause));
            return respond(problem(ProblemType.REQUEST_TIMEOUT,
                    "the request body did not arrive in time; the gateway gave up waiting for it"),
                    request, null);
        }
        if (Failures.find(cause, BodySizeLimitFilter.ClientBodyException.class) != null) {
            log.info("request body for {} unreadable: {}", service, String.valueOf(cause));
            return respond(problem(ProblemType.BAD_REQUEST_BODY,
                    "the request body could not be read to its end"), request, null);
        }
        if (Failures.find(cause, BulkheadFullException.class) != null) {
            ProblemDetail problem = problem(ProblemType.GATEWAY_BUSY, "too many requests to " + service
                    + " are in flight through this gateway; retry shortly (gateway.resilience.max-concurrent-calls)");
            return respond(problem, request, service);
        }
        ProblemDetail problem;
        if (Failures.find(cause, TimeoutException.class) != null) {
            log.info("fallback for {}: {}", service, String.valueOf(cause));
            problem = problem(ProblemType.UPSTREAM_TIMEOUT, service + " did not answer in time");
        } else if (cause == null || Failures.find(cause, CallNotPermittedException.class) != null
                || Failures.isUpstreamFailure(cause)) {
            log.info("fallback for {}: {}", service, String.valueOf(cause));
            String why = cause == null || Failures.find(cause, CallNotPermittedException.class) != null
                    ? "its circuit breaker is open after repeated failures"
                    : "it could not be reached";
            problem = problem(ProblemType.UPSTREAM_UNAVAILABLE, service + " is unavailable: " + why);
        } else {
            log.error("the gateway failed proxying {} {} to {}", request.getMethod(),
                    request.getAttribute(jakarta.servlet.RequestDispatcher.FORWARD_REQUEST_URI), service, cause);
            problem = problem(ProblemType.GATEWAY_ERROR,
                    "the gateway failed to proxy this request to " + service + "; not counted against it");
        }
        return respond(problem, request, service);
    }

    private static ResponseEntity<ProblemDetail> respond(ProblemDetail problem, HttpServletRequest request,
            String service) {
        if (service != null) {
            problem.setProperty("service", service);
        }
        Object original = request.getAttribute(jakarta.servlet.RequestDispatcher.FORWARD_REQUEST_URI);
        if (original instanceof String uri) {
            problem.setInstance(java.net.URI.create(uri));
        }
        ResponseEntity.BodyBuilder builder = ResponseEntity.status(problem.getStatus());
        if (problem.getStatus() == HttpStatus.SERVICE_UNAVAILABLE.value()) {
            builder.header("Retry-After", ProblemType.GATEWAY_BUSY.is(problem.getType().toString()) ? "1" : "5");
        }
        return builder.contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }
}
