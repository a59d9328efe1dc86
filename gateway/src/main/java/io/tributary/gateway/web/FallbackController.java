package io.tributary.gateway.web;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
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
 * Where a route's circuit breaker forwards when the upstream cannot be used: the breaker is open, the connection
 * failed, or the call timed out. Answers 503 (504 for a timeout) as problem+json naming the service; a body over
 * the size limit that only showed up while streaming is a 413 instead.
 */
@Hidden
@RestController
class FallbackController {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(FallbackController.class);

    private static final Map<String, String> SERVICES = Map.of(
            "ingest", "ingest-service", "clean", "stream-clean-service", "analytics", "analytics-service");

    @RequestMapping("/fallback/{route}")
    ResponseEntity<ProblemDetail> fallback(@PathVariable String route, HttpServletRequest request) {
        Throwable cause = (Throwable) request.getAttribute(MvcUtils.CIRCUITBREAKER_EXECUTION_EXCEPTION_ATTR);
        if (BodySizeLimitFilter.isBodyTooLarge(cause)) {
            return respond(BodySizeLimitFilter.problem(BodySizeLimitFilter.limitOf(cause)));
        }
        String service = SERVICES.getOrDefault(route, route);
        log.info("fallback for {}: {}", service, String.valueOf(cause));
        ProblemDetail problem;
        if (causedBy(cause, TimeoutException.class)) {
            problem = Problems.of(HttpStatus.GATEWAY_TIMEOUT, "upstream-timeout", "Upstream timed out",
                    service + " did not answer in time", true);
        } else {
            String why = cause == null || causedBy(cause, CallNotPermittedException.class)
                    ? "its circuit breaker is open after repeated failures"
                    : "it could not be reached";
            problem = Problems.of(HttpStatus.SERVICE_UNAVAILABLE, "upstream-unavailable", "Upstream unavailable",
                    service + " is unavailable: " + why, true);
        }
        problem.setProperty("service", service);
        Object original = request.getAttribute(jakarta.servlet.RequestDispatcher.FORWARD_REQUEST_URI);
        if (original instanceof String uri) {
            problem.setInstance(java.net.URI.create(uri));
        }
        return respond(problem);
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    private static ResponseEntity<ProblemDetail> respond(ProblemDetail problem) {
        ResponseEntity.BodyBuilder builder = ResponseEntity.status(problem.getStatus());
        if (problem.getStatus() == HttpStatus.SERVICE_UNAVAILABLE.value()) {
            builder.header("Retry-After", "5");
        }
        return builder.contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }
}
