package io.tributary.clean.runner;

/** The ingest service could not be reached (retries exhausted or circuit breaker open). */
public class IngestUnavailableException extends RuntimeException {

    public IngestUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
