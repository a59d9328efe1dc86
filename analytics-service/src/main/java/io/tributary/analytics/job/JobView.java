package io.tributary.analytics.job;

import java.time.Instant;

/**
 * A job as the API shows it: the definition with defaults, and its status.
 *
 * @param owner          the instance whose worker runs the job (holds its lease); null when none does
 * @param leaseExpiresAt when another instance may take the job over unless the owner renews its lease
 */
public record JobView(String name, JobRequest definition, JobStatus status, String lastError, Instant createdAt,
                      Instant updatedAt, String owner, Instant leaseExpiresAt) {
}
