package io.tributary.analytics.job;

import java.time.Instant;

/** A job as the API shows it: the definition with defaults, and its status. */
public record JobView(String name, JobRequest definition, JobStatus status, String lastError, Instant createdAt,
                      Instant updatedAt) {
}
