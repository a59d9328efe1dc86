package io.tributary.analytics.api;


import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

import io.tributary.problem.ProblemType;
import io.tributary.support.problem.ProblemHandlerSupport;
import io.tributary.analytics.job.InvalidJobException;
import io.tributary.analytics.job.JobExistsException;
import io.tributary.analytics.job.JobNotFoundException;
import io.tributary.analytics.job.JobStateException;
import io.tributary.analytics.reference.ReferenceTablesUnavailableException;

/**
 * Every error is {@code application/problem+json} (RFC 9457) with a {@code type} from the
 * platform's catalogue ({@link ProblemType}) and a boolean {@code retriable}. Invalid job definitions name the bad field
 * in {@code field} (and, from Bean Validation, every bad field in {@code errors}).
 */
@RestControllerAdvice
class ApiExceptionHandler extends ProblemHandlerSupport {

    @ExceptionHandler(InvalidJobException.class)
    ProblemDetail invalidJob(InvalidJobException e) {
        ProblemDetail problem = problem(ProblemType.INVALID_JOB, e.getMessage());
        problem.setProperty("field", e.field());
        return problem;
    }

    @ExceptionHandler(InvalidParameterException.class)
    ProblemDetail invalidParameter(InvalidParameterException e) {
        ProblemDetail problem = problem(ProblemType.INVALID_REQUEST, e.getMessage());
        problem.setProperty("field", e.field());
        return problem;
    }

    @ExceptionHandler(JobNotFoundException.class)
    ProblemDetail notFound(JobNotFoundException e) {
        return problem(ProblemType.UNKNOWN_JOB, e.getMessage());
    }

    @ExceptionHandler(JobExistsException.class)
    ProblemDetail exists(JobExistsException e) {
        return problem(ProblemType.JOB_EXISTS, e.getMessage());
    }

    @ExceptionHandler(JobStateException.class)
    ProblemDetail wrongState(JobStateException e) {
        return problem(ProblemType.JOB_STATE, e.getMessage());
    }

    @ExceptionHandler(ReferenceTablesUnavailableException.class)
    ProblemDetail referenceTablesUnavailable(ReferenceTablesUnavailableException e) {
        return problem(ProblemType.REFERENCE_TABLES_UNAVAILABLE, e.getMessage());
    }

    @ExceptionHandler(io.tributary.client.IngestException.class)
    ProblemDetail ingestUnavailable(io.tributary.client.IngestException e) {
        return problem(ProblemType.INGEST_UNAVAILABLE, "the ingest service could not answer: " + e.getMessage());
    }

    @ExceptionHandler(org.springframework.orm.ObjectOptimisticLockingFailureException.class)
    ProblemDetail concurrentChange(RuntimeException e) {
        return problem(ProblemType.CONCURRENT_CHANGE, "the job was changed by another request; read it again and retry");
    }

    /** A job definition that fails Bean Validation: {@code field} names the first bad field, {@code errors} all. */
    @Override
    protected ProblemType invalidBodyType() {
        return ProblemType.INVALID_JOB;
    }
}
