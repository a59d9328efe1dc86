package io.tributary.analytics.job;

/** An operation the job's current status does not allow (for example reset while running). */
public class JobStateException extends RuntimeException {
    public JobStateException(String message) {
        super(message);
    }
}
