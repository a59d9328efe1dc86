package io.tributary.ingest.problem;

import io.tributary.problem.ProblemType;

/**
 * A request the caller got wrong (a bad parameter, a missing field): 400 {@code invalid-request}. Thrown
 * where input is checked; an {@link IllegalArgumentException} is left to mean a bug (a 500).
 */
public class InvalidRequestException extends ProblemException {

    public InvalidRequestException(String detail) {
        super(ProblemType.INVALID_REQUEST, detail);
    }
}
