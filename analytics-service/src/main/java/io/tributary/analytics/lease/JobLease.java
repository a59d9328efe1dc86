package io.tributary.analytics.lease;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * Which instance runs a job, until when. The owner renews it while its worker runs; once it has
 * expired any instance may take it (a conditional update, so exactly one does).
 */
@Entity
@Table(name = "analytics_job_lease")
public class JobLease {

    @Id
    @Column(length = 100)
    private String jobName;

    @Column(nullable = false, length = 200)
    private String owner;

    @Column(nullable = false)
    private Instant expiresAt;

    protected JobLease() {
    }

    JobLease(String jobName, String owner, Instant expiresAt) {
        this.jobName = jobName;
        this.owner = owner;
        this.expiresAt = expiresAt;
    }

    public String getJobName() {
        return jobName;
    }

    public String getOwner() {
        return owner;
    }

    public Instant getExpiresAt() {
        return expiresAt;
    }
}
