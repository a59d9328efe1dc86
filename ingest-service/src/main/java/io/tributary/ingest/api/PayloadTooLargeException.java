package io.tributary.ingest.api;

import io.tributary.ingest.problem.ProblemException;
import io.tributary.problem.ProblemType;

/** A request body over {@code ingest.produce.max-request-bytes}. */
class PayloadTooLargeException extends ProblemException {

    PayloadTooLargeException(long size, int limit) {
        super(ProblemType.RECORD_TOO_LARGE, "request body of " + size + " bytes exceeds the limit of " + limit
                + " bytes (ingest.produce.max-request-bytes)");
    }
}
