package io.tributary.support.problem;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import io.tributary.problem.ProblemType;

/**
 * The problem types an operation (on a handler method) or every operation of a controller (on the class)
 * may answer with, beyond those any operation may ({@code invalid-request} when it takes input,
 * {@code internal-error}). Read by {@link ProblemResponsesOpenApi} into the service's OpenAPI document: one
 * response per status, listing its types.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface ProblemResponses {

    ProblemType[] value();
}
