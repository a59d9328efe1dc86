package io.tributary.analytics.reference;

/** stream-clean-service could not be reached, or answered with something other than a table or a 404. */
public class ReferenceTablesUnavailableException extends RuntimeException {

    public ReferenceTablesUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
