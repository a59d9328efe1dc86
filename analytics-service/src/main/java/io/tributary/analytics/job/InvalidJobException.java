package io.tributary.analytics.job;

/** A job definition that passed the shape checks but makes no sense; names the offending field. */
public class InvalidJobException extends RuntimeException {

    private final String field;

    public InvalidJobException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
