package io.tributary.support.problem;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import java.util.Map;

import io.tributary.problem.ProblemType;
import io.tributary.support.RequestIdFilter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.BindingResult;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.util.DisconnectedClientHelper;

/**
 * The base of each service's {@code @RestControllerAdvice}: every error becomes
 * {@code application/problem+json} (RFC 9457) whose {@code type} is an entry of the platform's one
 * {@link ProblemType} catalogue, with a boolean {@code retriable} (may the client send the same request
 * again and expect success?). Spring MVC's own errors (unreadable body, validation, 404, 405, 415, ...)
 * keep their status and get the catalogue's type for it. Anything unexpected is a bug: a 500
 * {@code internal-error} carrying the request's id ({@code requestId}, also in the {@code X-Request-Id}
 * header) and nothing of the failure itself, logged once with its stack trace under that id; except a request the
 * client broke off (its body cut short, its connection reset), which is the client's 400, and a lost database
 * connection, a retriable 503 {@code unavailable}. Subclasses
 * add handlers for their domain exceptions and build them with {@link #problem} or {@link #respond}.
 */
public abstract class ProblemHandlerSupport extends ResponseEntityExceptionHandler {

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e, WebRequest request) {
        String requestId = requestId(request);
        if (DisconnectedClientHelper.isClientDisconnectedException(e)) {
            // The caller went away mid-request (a body cut short, a reset connection): its doing, not a bug, and
            // most likely nobody reads the answer.
            logger.info("Request " + requestId + " broken off by the client: " + e);
            return respond(problem(ProblemType.INVALID_REQUEST,
                    "the connection to the client broke off before the request was complete"));
        }
        SQLException lostDatabase = lostDatabaseConnection(e);
        if (lostDatabase != null) {
            // The database went away under the request (a restart, a failover, a network cut): the same request
            // succeeds once the pool has reconnected, so it is a retriable 503, not a bug.
            logger.warn("Request " + requestId + ": the database connection failed: " + lostDatabase);
            ProblemDetail problem = problem(ProblemType.UNAVAILABLE,
                    "the service's database is unavailable for the moment; retry the request");
            problem.setProperty("requestId", requestId);
            return respond(problem);
        }
        logger.error("Unexpected error (request id " + requestId + ")", e);
        ProblemDetail problem = problem(ProblemType.INTERNAL_ERROR,
                "an unexpected error occurred; it has been logged under request id " + requestId);
        problem.setProperty("requestId", requestId);
        return respond(problem);
    }

    /**
     * The failure's cause that says the connection to the database was lost or could not be made, or null:
     * a connection exception by its SQLState class ({@code 08}, as PostgreSQL's driver reports it) or by its
     * JDBC type (H2 reports a database closed under a connection as a non-transient connection exception).
     */
    static SQLException lostDatabaseConnection(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) { // null once a cause is its own
            if (cause instanceof SQLException sql && (sql instanceof SQLNonTransientConnectionException
                    || sql instanceof SQLTransientConnectionException || sql instanceof SQLRecoverableException
                    || (sql.getSQLState() != null && sql.getSQLState().startsWith("08")))) {
                return sql;
            }
        }
        return null;
    }

    /** Gives the problems Spring MVC builds itself the catalogue's type for their status, and the flag. */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
                                                             HttpStatusCode statusCode, WebRequest request) {
        ProblemDetail problem = body instanceof ProblemDetail pd ? pd
                : ex instanceof ErrorResponse error ? error.getBody()
                : ProblemDetail.forStatusAndDetail(statusCode, null);
        if (statusCode.is4xxClientError()) {
            // Instead of Spring's generic text ("Failed to read request") or an exception message naming our
            // classes: what was wrong with the request.
            problem.setDetail(ClientErrorDetails.detail(ex, problem.getDetail() == null ? ex.getMessage()
                    : problem.getDetail()));
        }
        ProblemType type = ProblemType.forStatus(statusCode.value());
        problem.setType(type.uri());
        problem.setTitle(type.title());
        problem.setProperty("retriable", statusCode.is5xxServerError());
        if (statusCode.is5xxServerError()) {
            problem.setProperty("requestId", requestId(request));
        }
        HttpHeaders out = new HttpHeaders();
        out.addAll(headers);
        out.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        return ResponseEntity.status(statusCode).headers(out).body(problem);
    }

    /** Bean Validation of a body: every bad field in the detail and in {@code errors}, the first in {@code field}. */
    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex,
                                                                  HttpHeaders headers, HttpStatusCode status,
                                                                  WebRequest request) {
        return ResponseEntity.badRequest().headers(headers).contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(invalidFields(invalidBodyType(), ex.getBindingResult()));
    }

    /** The type of a body that failed Bean Validation: {@code invalid-request} unless a service has its own. */
    protected ProblemType invalidBodyType() {
        return ProblemType.INVALID_REQUEST;
    }

    /** A problem of {@code type} naming every field that failed validation: {@code field} (the first), {@code errors}. */
    protected static ProblemDetail invalidFields(ProblemType type, BindingResult result) {
        List<Map<String, String>> errors = ClientErrorDetails.fieldErrors(result);
        ProblemDetail problem = problem(type, ClientErrorDetails.describe(errors));
        if (!errors.isEmpty()) {
            problem.setProperty("field", errors.get(0).get("field"));
        }
        problem.setProperty("errors", errors);
        return problem;
    }

    /** A problem of {@code type}, answered with the type's status. */
    public static ProblemDetail problem(ProblemType type, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatusCode.valueOf(type.status()), detail);
        problem.setType(type.uri());
        problem.setTitle(type.title());
        problem.setProperty("retriable", type.retriable());
        return problem;
    }

    /** A problem of {@code type} with extra members ({@code properties}), as a response. */
    public static ResponseEntity<ProblemDetail> respond(ProblemType type, String detail, Map<String, ?> properties) {
        ProblemDetail problem = problem(type, detail);
        properties.forEach(problem::setProperty);
        return respond(problem);
    }

    /** The problem as a response with its own status and the problem media type. */
    public static ResponseEntity<ProblemDetail> respond(ProblemDetail problem) {
        return ResponseEntity.status(problem.getStatus()).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }

    private static String requestId(WebRequest request) {
        Object id = request.getAttribute(RequestIdFilter.ATTRIBUTE, RequestAttributes.SCOPE_REQUEST);
        return id == null ? "none" : id.toString();
    }
}
