package io.tributary.clean.dedupe;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;

/** One remembered key (its 128-bit hash) of a dedupe state, with its first occurrence. Schema only. */
@Entity
@Table(name = "dedupe_keys",
        uniqueConstraints = @UniqueConstraint(columnNames = {"partition_id", "state_name", "key_high", "key_low"}),
        indexes = @Index(name = "dedupe_keys_by_offset", columnList = "partition_id, first_offset"))
class DedupeKey {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "partition_id", nullable = false)
    private long partitionId;

    @Column(name = "state_name", nullable = false, length = 300)
    private String stateName;

    @Column(name = "key_high", nullable = false)
    private long keyHigh;

    @Column(name = "key_low", nullable = false)
    private long keyLow;

    @Column(name = "first_offset", nullable = false)
    private long firstOffset;

    @Column(name = "first_timestamp", nullable = false)
    private long firstTimestamp;

    protected DedupeKey() {
    }
}
