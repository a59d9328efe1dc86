package io.tributary.analytics.job;

public class JobNotFoundException extends RuntimeException {
    public JobNotFoundException(String name) {
        super("no job named '" + name + "'");
    }
}
