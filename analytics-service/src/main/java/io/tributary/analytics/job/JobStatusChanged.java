package io.tributary.analytics.job;

/** Published (after commit) when a job is started, stopped, reset or deleted; the runner reacts. */
public record JobStatusChanged(String name, JobStatus status, boolean deleted) {
}
