package io.tributary.analytics.store;

/** The checkpoint moved under a running job: another instance (or run) committed a batch of it. */
public class ConcurrentRunException extends RuntimeException {
    public ConcurrentRunException(String jobName) {
        super("job '" + jobName + "' committed a batch elsewhere; this run stops so nothing is counted twice");
    }
}
