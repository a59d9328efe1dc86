package io.tributary.analytics.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * Where a job stands after its last committed batch: the batch id, the next offset to read per
 * partition (of the source topic incarnation whose id it records), and the serialised window state. Written in the same transaction as the batch's
 * results and progress row, so a restart resumes exactly after that batch. The version makes a
 * second instance that runs the same job by mistake fail its commit instead of double counting.
 */
@Entity
@Table(name = "analytics_checkpoint")
public class JobCheckpoint {

    @Id
    @Column(length = 100)
    private String jobName;

    private long batchId;

    /** Next offset per partition, as JSON: {@code {"0":120,"1":98}}. */
    @Column(nullable = false, length = 4000)
    private String offsets;

    @JdbcTypeCode(SqlTypes.LONG32VARBINARY) // text / bytea on PostgreSQL, never a large object (db/migration V2)
    private byte[] state;

    /**
     * The id of the source topic the offsets belong to (ingest's {@code topicId}); null in a
     * checkpoint written before topic ids, which the job fills in with the source's current id
     * when it next starts ({@link #adoptSourceTopicId}).
     */
    @Column(length = 64)
    private String sourceTopicId;

    @Version
    private long version;

    protected JobCheckpoint() {
    }

    public JobCheckpoint(String jobName) {
        this.jobName = jobName;
        this.batchId = -1;
        this.offsets = "{}";
    }

    public String getJobName() {
        return jobName;
    }

    public long getBatchId() {
        return batchId;
    }

    public String getOffsets() {
        return offsets;
    }

    public byte[] getState() {
        return state;
    }

    public long getVersion() {
        return version;
    }

    public String getSourceTopicId() {
        return sourceTopicId;
    }

    /**
     * The version a run expects when it commits on top of this checkpoint: -1 when none is stored yet (a fresh
     * one, batch -1, never written), else its version.
     */
    public long expectedVersion() {
        return batchId < 0 && version == 0 ? -1 : version;
    }

    public void advance(long batchId, String offsets, byte[] state, String sourceTopicId) {
        this.batchId = batchId;
        this.offsets = offsets;
        this.state = state;
        this.sourceTopicId = sourceTopicId;
    }

    /** A checkpoint written before topic ids takes the id of the source it is resumed on. */
    public void adoptSourceTopicId(String sourceTopicId) {
        if (this.sourceTopicId == null) {
            this.sourceTopicId = sourceTopicId;
        }
    }
}
