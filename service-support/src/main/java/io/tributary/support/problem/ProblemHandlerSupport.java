package io.tributary.support.problem;

import java.net.URI;
import java.util.Locale;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * The base of each service's {@code @RestControllerAdvice}: every error becomes
 * {@code application/problem+json} (RFC 9457) with a {@code type} under {@value #TYPE_BASE} and
 * a boolean {@code retriable} (may the client send the same request again and expect success?).
 * Spring MVC's own errors (unreadable body, validation, 404, 405, 415, ...) keep their status
 * and gain the type and flag; anything unexpected is a 500 whose body shows no internals and
 * whose stack trace goes to the log. Subclasses add handlers for their domain exceptions and
 * build them with {@link #problem}.
 */
public abstract class ProblemHandlerSupport extends ResponseEntityExceptionHandler {

    public static final String TYPE_BASE = "https://tributary.dev/problems/";

    @ExceptionHandler(Exception.class)
    ProblemDetail unexpected(Exception e) {
        logger.error("Unexpected error", e);
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, "internal-error", "Internal error",
                "an unexpected error occurred; it has been logged", true);
    }

    /** Adds {@code type} and {@code retriable} to the problems Spring MVC builds itself. */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
                                                             HttpStatusCode statusCode, WebRequest request) {
        ResponseEntity<Object> response = super.handleExceptionInternal(ex, body, headers, statusCode, request);
        if (response != null && response.getBody() instanceof ProblemDetail problem) {
            if (problem.getType() == null || "about:blank".equals(problem.getType().toString())) {
                problem.setType(URI.create(TYPE_BASE + (statusCode.value() == 400 ? "invalid-request"
                        : slug(problem.getTitle()))));
            }
            problem.setProperty("retriable", statusCode.is5xxServerError());
        }
        return response;
    }

    /** A problem of type {@code TYPE_BASE + type}. */
    public static ProblemDetail problem(HttpStatus status, String type, String title, String detail, boolean retriable) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create(TYPE_BASE + type));
        problem.setTitle(title);
        problem.setProperty("retriable", retriable);
        return problem;
    }

    private static String slug(String title) {
        return title == null ? "error" : title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    }
}
