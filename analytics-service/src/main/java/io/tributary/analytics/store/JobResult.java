package io.tributary.analytics.store;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * One row of a job's result table, keyed by (job, window, group). Its id is derived from that key
 * so a batch replaces the row it updates. A global window (no windowing) has null bounds.
 */
@Entity
@Table(name = "analytics_result", indexes = @Index(name = "analytics_result_job_window",
        columnList = "jobName, windowStart"))
public class JobResult {

    @Id
    @Column(length = 200)
    private String id;

    @Column(nullable = false, length = 100)
    private String jobName;

    private Long windowStart;

    private Long windowEnd;

    /** The group-by values as a JSON array, e.g. {@code ["de"]}. */
    @Column(nullable = false, length = 2000)
    private String groupKey;

    @JdbcTypeCode(SqlTypes.LONG32VARCHAR) // text / bytea on PostgreSQL, never a large object (db/migration V2)
    @Column(nullable = false)
    private String aggregates;

    private long batchId;

    private Instant updatedAt;

    protected JobResult() {
    }

    public JobResult(String id, String jobName, Long windowStart, Long windowEnd, String groupKey) {
        this.id = id;
        this.jobName = jobName;
        this.windowStart = windowStart;
        this.windowEnd = windowEnd;
        this.groupKey = groupKey;
    }

    public String getId() {
        return id;
    }

    public String getJobName() {
        return jobName;
    }

    public Long getWindowStart() {
        return windowStart;
    }

    public Long getWindowEnd() {
        return windowEnd;
    }

    public String getGroupKey() {
        return groupKey;
    }

    public String getAggregates() {
        return aggregates;
    }

    public long getBatchId() {
        return batchId;
    }

    public Instant getUpdatedAt() {
        return updatedAt;
    }

    public void update(String aggregates, long batchId, Instant now) {
        this.aggregates = aggregates;
        this.batchId = batchId;
        this.updatedAt = now;
    }
}
