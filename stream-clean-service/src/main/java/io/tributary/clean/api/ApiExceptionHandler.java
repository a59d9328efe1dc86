package io.tributary.clean.api;

import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

import io.tributary.problem.ProblemType;
import io.tributary.support.problem.ProblemHandlerSupport;
import io.tributary.clean.pipeline.InvalidPipelineException;
import io.tributary.clean.pipeline.PipelineExistsException;
import io.tributary.clean.pipeline.PipelineNotFoundException;
import io.tributary.clean.process.InvalidStepException;
import io.tributary.clean.reference.InvalidReferenceTableException;
import io.tributary.clean.reference.ReferenceTableInUseException;
import io.tributary.clean.reference.ReferenceTableNotFoundException;

/**
 * Every error is {@code application/problem+json} (RFC 9457) with a {@code type} from the
 * platform's catalogue ({@link ProblemType}) and a boolean {@code retriable}: may the client send the same request
 * again and expect success? Spring's own errors (bad JSON, validation, 404, 405, ...) get the
 * same treatment.
 */
@RestControllerAdvice
class ApiExceptionHandler extends ProblemHandlerSupport {

    @ExceptionHandler(InvalidStepException.class)
    ProblemDetail invalidStep(InvalidStepException e) {
        ProblemDetail problem = problem(ProblemType.INVALID_STEP, e.getMessage());
        problem.setProperty("stepIndex", e.stepIndex());
        problem.setProperty("stepType", e.stepType());
        return problem;
    }

    @ExceptionHandler(InvalidPipelineException.class)
    ProblemDetail invalidPipeline(InvalidPipelineException e) {
        return problem(ProblemType.INVALID_PIPELINE, e.getMessage());
    }

    @ExceptionHandler(PipelineNotFoundException.class)
    ProblemDetail notFound(PipelineNotFoundException e) {
        return problem(ProblemType.UNKNOWN_PIPELINE, e.getMessage());
    }

    @ExceptionHandler(PipelineExistsException.class)
    ProblemDetail exists(PipelineExistsException e) {
        return problem(ProblemType.PIPELINE_EXISTS, e.getMessage());
    }

    @ExceptionHandler(InvalidReferenceTableException.class)
    ProblemDetail invalidTable(InvalidReferenceTableException e) {
        return problem(ProblemType.INVALID_REFERENCE_TABLE, e.getMessage());
    }

    @ExceptionHandler(ReferenceTableNotFoundException.class)
    ProblemDetail unknownTable(ReferenceTableNotFoundException e) {
        return problem(ProblemType.UNKNOWN_REFERENCE_TABLE, e.getMessage());
    }

    @ExceptionHandler(ReferenceTableInUseException.class)
    ProblemDetail tableInUse(ReferenceTableInUseException e) {
        return problem(ProblemType.REFERENCE_TABLE_IN_USE, e.getMessage());
    }

    @ExceptionHandler(org.springframework.orm.ObjectOptimisticLockingFailureException.class)
    ProblemDetail concurrentChange(RuntimeException e) {
        return problem(ProblemType.CONCURRENT_CHANGE, "the pipeline was changed by another request; read it again and retry");
    }
}
