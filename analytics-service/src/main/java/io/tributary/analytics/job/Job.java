package io.tributary.analytics.job;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A stored job: its definition (the validated request as JSON) and its status. */
@Entity
@Table(name = "analytics_job")
public class Job {

    @Id
    @Column(length = 100)
    private String name;

    @Column(nullable = false)
    private String source;

    @JdbcTypeCode(SqlTypes.LONG32VARCHAR) // text / bytea on PostgreSQL, never a large object (db/migration V2)
    @Column(nullable = false)
    private String definition;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 16)
    private JobStatus status = JobStatus.STOPPED;

    @Column(length = 2000)
    private String lastError;

    private Instant createdAt;

    private Instant updatedAt;

    @Version
    private long version;

    protected Job() {
    }

    Job(String name, String source, String definition, Instant now) {
        this.name = name;
        this.source = source;
        this.definition = definition;
        this.createdAt = now;
        this.updatedAt = now;
    }

    public String getName() {
        return name;
    }

    public String getSource() {
        return source;
    }

    public String getDefinition() {
        return definition;
    }

    public JobStatus getStatus() {
        return status;
    }

    public String getLastError() {
        return lastError;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public Instant getUpdatedAt() {
        return updatedAt;
    }

    public void setStatus(JobStatus status, String error, Instant now) {
        this.status = status;
        this.lastError = error == null ? null : error.length() > 2000 ? error.substring(0, 2000) : error;
        this.updatedAt = now;
    }
}
