package io.tributary.clean.dedupe;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;

/** The newest record timestamp one dedupe state has seen in a partition (its eviction clock). Schema only. */
@Entity
@Table(name = "dedupe_windows", uniqueConstraints = @UniqueConstraint(columnNames = {"partition_id", "state_name"}))
class DedupeWindow {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "partition_id", nullable = false)
    private long partitionId;

    @Column(name = "state_name", nullable = false, length = 300)
    private String stateName;

    @Column(name = "newest_timestamp", nullable = false)
    private long newestTimestamp;

    protected DedupeWindow() {
    }
}
