package io.tributary.clean.api;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

import io.tributary.support.problem.ProblemHandlerSupport;
import io.tributary.clean.pipeline.InvalidPipelineException;
import io.tributary.clean.pipeline.PipelineExistsException;
import io.tributary.clean.pipeline.PipelineNotFoundException;
import io.tributary.clean.process.InvalidStepException;
import io.tributary.clean.reference.InvalidReferenceTableException;
import io.tributary.clean.reference.ReferenceTableInUseException;
import io.tributary.clean.reference.ReferenceTableNotFoundException;

/**
 * Every error is {@code application/problem+json} (RFC 9457) with a {@code type} under
 * {@value ProblemHandlerSupport#TYPE_BASE} and a boolean {@code retriable}: may the client send the same request
 * again and expect success? Spring's own errors (bad JSON, validation, 404, 405, ...) get the
 * same treatment.
 */
@RestControllerAdvice
class ApiExceptionHandler extends ProblemHandlerSupport {

    @ExceptionHandler(InvalidStepException.class)
    ProblemDetail invalidStep(InvalidStepException e) {
        ProblemDetail problem = problem(HttpStatus.BAD_REQUEST, "invalid-step", "Invalid step", e.getMessage(), false);
        problem.setProperty("stepIndex", e.stepIndex());
        problem.setProperty("stepType", e.stepType());
        return problem;
    }

    @ExceptionHandler(InvalidPipelineException.class)
    ProblemDetail invalidPipeline(InvalidPipelineException e) {
        return problem(HttpStatus.BAD_REQUEST, "invalid-pipeline", "Invalid pipeline", e.getMessage(), false);
    }

    @ExceptionHandler(PipelineNotFoundException.class)
    ProblemDetail notFound(PipelineNotFoundException e) {
        return problem(HttpStatus.NOT_FOUND, "unknown-pipeline", "Unknown pipeline", e.getMessage(), false);
    }

    @ExceptionHandler(PipelineExistsException.class)
    ProblemDetail exists(PipelineExistsException e) {
        return problem(HttpStatus.CONFLICT, "pipeline-exists", "Pipeline exists", e.getMessage(), false);
    }

    @ExceptionHandler(InvalidReferenceTableException.class)
    ProblemDetail invalidTable(InvalidReferenceTableException e) {
        return problem(HttpStatus.BAD_REQUEST, "invalid-reference-table", "Invalid reference table", e.getMessage(),
                false);
    }

    @ExceptionHandler(ReferenceTableNotFoundException.class)
    ProblemDetail unknownTable(ReferenceTableNotFoundException e) {
        return problem(HttpStatus.NOT_FOUND, "unknown-reference-table", "Unknown reference table", e.getMessage(), false);
    }

    @ExceptionHandler(ReferenceTableInUseException.class)
    ProblemDetail tableInUse(ReferenceTableInUseException e) {
        return problem(HttpStatus.CONFLICT, "reference-table-in-use", "Reference table in use", e.getMessage(), false);
    }

    @ExceptionHandler(org.springframework.orm.ObjectOptimisticLockingFailureException.class)
    ProblemDetail concurrentChange(RuntimeException e) {
        return problem(HttpStatus.CONFLICT, "concurrent-change", "Concurrent change",
                "the pipeline was changed by another request; read it again and retry", true);
    }
}
