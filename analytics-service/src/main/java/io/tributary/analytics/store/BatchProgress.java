package io.tributary.analytics.store;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Table;

/**
 * One committed micro-batch, like Spark's {@code StreamingQueryProgress}. Durations are in
 * milliseconds; {@code commitMs} covers writing results, state and offsets up to the moment this
 * row is added (the database commit itself follows and cannot be timed inside it).
 */
@Entity
@Table(name = "analytics_progress", indexes = @Index(name = "analytics_progress_job_batch",
        columnList = "jobName, batchId"))
public class BatchProgress {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(nullable = false, length = 100)
    public String jobName;
    public long batchId;
    public Instant timestamp;
    @Column(length = 4000)
    public String startOffsets;
    @Column(length = 4000)
    public String endOffsets;
    public long inputRows;
    public double inputRowsPerSecond;
    public double processedRowsPerSecond;
    public long fetchMs;
    public long computeMs;
    public long commitMs;
    public Long watermark;
    public long lateRows;
    public long filteredRows;
    public long invalidRows;
    public long emittedRows;
    public long stateRows;

    public Long getId() {
        return id;
    }
}
