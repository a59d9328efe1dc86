package io.tributary.analytics.job;

/** What a job is doing; {@code RUNNING} is also what a restarted service resumes. */
public enum JobStatus {
    STOPPED,
    RUNNING,
    /** An available-now job that reached the end it saw at its start. */
    COMPLETED,
    /** A batch failed in a way retrying cannot fix (see {@code lastError}). */
    FAILED
}
