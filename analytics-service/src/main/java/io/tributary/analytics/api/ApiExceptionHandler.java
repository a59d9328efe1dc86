package io.tributary.analytics.api;

import java.util.List;
import java.util.Map;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;

import io.tributary.support.problem.ProblemHandlerSupport;
import io.tributary.analytics.job.InvalidJobException;
import io.tributary.analytics.job.JobExistsException;
import io.tributary.analytics.job.JobNotFoundException;
import io.tributary.analytics.job.JobStateException;
import io.tributary.analytics.reference.ReferenceTablesUnavailableException;

/**
 * Every error is {@code application/problem+json} (RFC 9457) with a {@code type} under
 * {@value ProblemHandlerSupport#TYPE_BASE} and a boolean {@code retriable}. Invalid job definitions name the bad field
 * in {@code field} (and, from Bean Validation, every bad field in {@code errors}).
 */
@RestControllerAdvice
class ApiExceptionHandler extends ProblemHandlerSupport {

    @ExceptionHandler(InvalidJobException.class)
    ProblemDetail invalidJob(InvalidJobException e) {
        ProblemDetail problem = problem(HttpStatus.BAD_REQUEST, "invalid-job", "Invalid job", e.getMessage(), false);
        problem.setProperty("field", e.field());
        return problem;
    }

    @ExceptionHandler(InvalidParameterException.class)
    ProblemDetail invalidParameter(InvalidParameterException e) {
        ProblemDetail problem = problem(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request", e.getMessage(),
                false);
        problem.setProperty("field", e.field());
        return problem;
    }

    @ExceptionHandler(JobNotFoundException.class)
    ProblemDetail notFound(JobNotFoundException e) {
        return problem(HttpStatus.NOT_FOUND, "unknown-job", "Unknown job", e.getMessage(), false);
    }

    @ExceptionHandler(JobExistsException.class)
    ProblemDetail exists(JobExistsException e) {
        return problem(HttpStatus.CONFLICT, "job-exists", "Job exists", e.getMessage(), false);
    }

    @ExceptionHandler(JobStateException.class)
    ProblemDetail wrongState(JobStateException e) {
        return problem(HttpStatus.CONFLICT, "job-state", "Not in this job state", e.getMessage(), false);
    }

    @ExceptionHandler(ReferenceTablesUnavailableException.class)
    ProblemDetail referenceTablesUnavailable(ReferenceTablesUnavailableException e) {
        return problem(HttpStatus.SERVICE_UNAVAILABLE, "reference-tables-unavailable",
                "Reference tables unavailable", e.getMessage(), true);
    }

    @ExceptionHandler(io.tributary.client.IngestException.class)
    ProblemDetail ingestUnavailable(io.tributary.client.IngestException e) {
        return problem(HttpStatus.SERVICE_UNAVAILABLE, "ingest-unavailable", "Ingest service unavailable",
                "the ingest service could not answer: " + e.getMessage(), true);
    }

    @ExceptionHandler(org.springframework.orm.ObjectOptimisticLockingFailureException.class)
    ProblemDetail concurrentChange(RuntimeException e) {
        return problem(HttpStatus.CONFLICT, "concurrent-change", "Concurrent change",
                "the job was changed by another request; read it again and retry", true);
    }

    /** Bean Validation: the detail and {@code field} name the first bad field, {@code errors} all of them. */
    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex,
                                                                  HttpHeaders headers, HttpStatusCode status,
                                                                  WebRequest request) {
        List<Map<String, String>> errors = ex.getBindingResult().getFieldErrors().stream()
                .map(error -> Map.of("field", error.getField(),
                        "message", String.valueOf(error.getDefaultMessage())))
                .toList();
        String detail = errors.isEmpty() ? "invalid request"
                : errors.get(0).get("field") + ": " + errors.get(0).get("message");
        ProblemDetail problem = problem(HttpStatus.BAD_REQUEST, "invalid-job", "Invalid job", detail, false);
        if (!errors.isEmpty()) {
            problem.setProperty("field", errors.get(0).get("field"));
        }
        problem.setProperty("errors", errors);
        return ResponseEntity.badRequest().headers(headers).body(problem);
    }
}
