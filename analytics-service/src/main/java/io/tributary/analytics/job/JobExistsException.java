package io.tributary.analytics.job;

public class JobExistsException extends RuntimeException {
    public JobExistsException(String name) {
        super("a job named '" + name + "' exists already");
    }
}
